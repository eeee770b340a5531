// The in-browser modeler (designer/modeler.html): bpmn-js's Modeler (app/static/vendor/, from npm) edits the
// case type's draft; the side panel edits our extension properties, written exactly as the server's compiler
// reads them (<spiffworkflow:properties><spiffworkflow:property name=… value=…/>); the toolbar saves the draft,
// validates it and deploys it through the same checks as an upload. Data comes in data- attributes (CSP).
(function () {
  "use strict";
  var root = document.getElementById("modeler");
  if (!root || !window.BpmnJS) {
    return;
  }
  var data = root.dataset;
  var text = JSON.parse(data.text);
  var forms = JSON.parse(data.forms);
  var roles = JSON.parse(data.roles);
  var panel = root.querySelector("[data-panel]");
  var status = root.querySelector("[data-status]");
  var problemsBox = root.querySelector("[data-problems]");

  // The SpiffWorkflow extension as a moddle package: <spiffworkflow:properties> holding <spiffworkflow:property>.
  var SPIFF = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" }] }
    ]
  };

  var modeler = new window.BpmnJS({
    container: root.querySelector("[data-canvas]"),
    moddleExtensions: { spiffworkflow: SPIFF }
  });
  window.gridcaseModeler = modeler; // for the browser tests and the console
  var modeling = modeler.get("modeling");
  var moddle = modeler.get("moddle");
  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var marked = [];

  function format(message, values) {
    return message.replace(/\{(\w+)\}/g, function (_all, name) {
      return values[name];
    });
  }

  function say(message, bad) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(bad));
  }

  // --- extension properties ------------------------------------------------------------------------------
  function propertiesOf(bo) {
    var ext = bo.extensionElements;
    var values = (ext && ext.values) || [];
    for (var i = 0; i < values.length; i += 1) {
      if (values[i].$type === "spiffworkflow:Properties") {
        return values[i];
      }
    }
    return null;
  }

  function getProp(bo, name) {
    var props = propertiesOf(bo);
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value || "" : "";
  }

  function ensureProperties(element, bo) {
    var ext = bo.extensionElements;
    if (!ext) {
      ext = moddle.create("bpmn:ExtensionElements", { values: [] });
      modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    var props = propertiesOf(bo);
    if (!props) {
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
    }
    return props;
  }

  function setProp(element, bo, name, value) {
    var props = value ? ensureProperties(element, bo) : propertiesOf(bo);
    if (!props) {
      return;
    }
    var list = props.properties || [];
    var found = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (found) {
        modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== found; }) });
      }
    } else if (found) {
      modeling.updateModdleProperties(element, found, { value: value });
    } else {
      var property = moddle.create("spiffworkflow:Property", { name: name, value: value });
      modeling.updateModdleProperties(element, props, { properties: list.concat([property]) });
    }
  }

  // --- panel fields --------------------------------------------------------------------------------------
  function field(label, control, hint) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var id = "prop-" + control.name;
    control.id = id;
    var labelEl = document.createElement("label");
    labelEl.htmlFor = id;
    labelEl.textContent = label;
    wrap.appendChild(labelEl);
    wrap.appendChild(control);
    if (hint) {
      var small = document.createElement("p");
      small.className = "hint";
      small.textContent = hint;
      wrap.appendChild(small);
    }
    panel.appendChild(wrap);
    return control;
  }

  function input(name, value, onChange, multiline) {
    var el = document.createElement(multiline ? "textarea" : "input");
    el.name = name;
    el.value = value || "";
    if (multiline) {
      el.rows = 3;
      el.className = "code";
    }
    el.addEventListener("change", function () { onChange(el.value.trim()); });
    return el;
  }

  function select(name, value, options, onChange) {
    var el = document.createElement("select");
    el.name = name;
    var known = options.some(function (o) { return o.value === value; });
    (known || !value ? options : options.concat([{ value: value, label: value }])).forEach(function (o) {
      var option = document.createElement("option");
      option.value = o.value;
      option.textContent = o.label;
      el.appendChild(option);
    });
    el.value = value || "";
    el.addEventListener("change", function () { onChange(el.value); });
    return el;
  }

  function checkbox(name, label, checked, onChange) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var labelEl = document.createElement("label");
    labelEl.className = "option";
    var el = document.createElement("input");
    el.type = "checkbox";
    el.name = name;
    el.id = "prop-" + name;
    el.checked = checked;
    el.addEventListener("change", function () {
      onChange(el.checked);
      render(selected); // bpmn-js may change more than the box says (a default flow loses its condition)
    });
    labelEl.appendChild(el);
    labelEl.appendChild(document.createTextNode(" " + label));
    wrap.appendChild(labelEl);
    panel.appendChild(wrap);
    return el;
  }

  function formOptions(suffix) {
    return [{ value: "", label: text.none }].concat(forms.filter(function (name) {
      return name.slice(-suffix.length) === suffix;
    }).map(function (name) { return { value: name, label: name }; }));
  }

  function heading(label) {
    var h = document.createElement("h2");
    h.textContent = label;
    panel.appendChild(h);
  }

  function propInput(element, bo, name, label, hint) {
    field(label, input(name, getProp(bo, name), function (v) { setProp(element, bo, name, v); }), hint);
  }

  function formSelects(element, bo) {
    field(text.form, select("formJsonSchemaFilename", getProp(bo, "formJsonSchemaFilename"),
      formOptions(".schema.json"), function (v) { setProp(element, bo, "formJsonSchemaFilename", v); }));
    field(text.uiForm, select("formUiSchemaFilename", getProp(bo, "formUiSchemaFilename"),
      formOptions(".uischema.json"), function (v) { setProp(element, bo, "formUiSchemaFilename", v); }));
  }

  function commonFields(element, bo) {
    var id = input("id", bo.id, function () {});
    id.readOnly = true;
    field(text.id, id);
    if (bo.$type === "bpmn:Lane") {
      var options = roles.map(function (r) { return { value: r.code, label: r.code + " — " + r.label }; });
      field(text.role, select("name", bo.name || "", [{ value: "", label: text.none }].concat(options),
        function (v) { modeling.updateProperties(element, { name: v }); }));
      return;
    }
    field(text.name, input("name", bo.name, function (v) { modeling.updateProperties(element, { name: v }); }));
  }

  function processFields(element, process) {
    heading(text.process + " · " + process.id);
    field(text.name, input("process-name", process.name, function (v) {
      modeling.updateModdleProperties(element, process, { name: v });
    }));
    propInput(element, process, "name:en", text.nameEn);
    propInput(element, process, "titleField", text.titleField);
    propInput(element, process, "numberPrefix", text.numberPrefix);
  }

  function taskFields(element, bo) {
    propInput(element, bo, "name:en", text.nameEn);
    formSelects(element, bo);
    propInput(element, bo, "deadline", text.deadline, text.deadlineHint);
    propInput(element, bo, "warnAt", text.warnAt, text.warnAtHint);
    checkbox("allowReturn", text.allowReturn, getProp(bo, "allowReturn") !== "false", function (on) {
      setProp(element, bo, "allowReturn", on ? "" : "false");
    });
  }

  function flowFields(element, bo) {
    var source = bo.sourceRef;
    if (!source || !/Gateway$/.test(source.$type)) {
      return;
    }
    var condition = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
    field(text.condition, input("condition", condition, function (v) {
      var expression = v ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined;
      modeling.updateProperties(element, { conditionExpression: expression });
    }, true), text.conditionHint);
    var gateway = registry.get(source.id);
    checkbox("default", text.defaultFlow, source.default === bo, function (on) {
      modeling.updateProperties(gateway, { "default": on ? bo : undefined });
    });
  }

  function timerFields(element, bo) {
    var definition = (bo.eventDefinitions || []).filter(function (d) {
      return d.$type === "bpmn:TimerEventDefinition";
    })[0];
    if (!definition) {
      return;
    }
    heading(text.timer);
    ["timeDuration", "timeDate"].forEach(function (kind) {
      var current = definition[kind] ? definition[kind].body || "" : "";
      field(text[kind], input(kind, current, function (v) {
        var change = {};
        change[kind] = v ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined;
        modeling.updateModdleProperties(element, definition, change);
      }));
    });
  }

  function render(element) {
    panel.textContent = "";
    if (!element || !element.businessObject || /^bpmn:(Process|Collaboration)$/.test(element.type)) {
      var rootElement = canvas.getRootElement();
      var rootObject = rootElement.businessObject;
      var process = rootObject && rootObject.$type === "bpmn:Process" ? rootObject : null;
      if (!process) {
        var pools = registry.filter(function (e) { return e.type === "bpmn:Participant"; });
        process = pools.length ? pools[0].businessObject.processRef : null;
        rootElement = pools.length ? pools[0] : rootElement;
      }
      if (process) {
        processFields(rootElement, process);
      }
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = text.nothing;
      panel.appendChild(hint);
      return;
    }
    var bo = element.businessObject;
    heading((text.types || {})[bo.$type] || bo.$type.replace("bpmn:", ""));
    commonFields(element, bo);
    if (bo.$type === "bpmn:Participant" && bo.processRef) {
      processFields(element, bo.processRef);
    } else if (bo.$type === "bpmn:UserTask" || bo.$type === "bpmn:ManualTask") {
      taskFields(element, bo);
    } else if (bo.$type === "bpmn:StartEvent") {
      formSelects(element, bo);
    } else if (bo.$type === "bpmn:SequenceFlow") {
      flowFields(element, bo);
    } else if (bo.$type === "bpmn:ScriptTask") {
      field(text.script, input("script", bo.script, function (v) {
        modeling.updateProperties(element, { scriptFormat: "python", script: v });
      }, true));
    }
    timerFields(element, bo);
  }

  // Leaving the page with changes not saved as the draft asks first.
  var dirty = false;
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  var selected = null;
  modeler.on("selection.changed", function (event) {
    selected = event.newSelection.length === 1 ? event.newSelection[0] : null;
    render(selected);
  });
  modeler.on("commandStack.changed", function () {
    dirty = true;
    // Undo/redo and edits on the canvas (e.g. a name typed in place) show in the panel; typing in the panel
    // itself commits on "change", so the field being edited has already lost its focus.
    if (!panel.contains(document.activeElement)) {
      render(selected && registry.get(selected.id) ? selected : null);
    }
  });

  // --- problems --------------------------------------------------------------------------------------------
  function showProblems(problems) {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "gc-problem"); } });
    marked = [];
    var body = problemsBox.querySelector("tbody");
    body.textContent = "";
    problems.forEach(function (p) {
      var row = document.createElement("tr");
      row.className = "problem";
      [p.element || "", p.label || "", p.line || "", p.reason].forEach(function (value, i) {
        var cell = document.createElement("td");
        cell.textContent = value;
        if (i === 3) {
          cell.className = "error";
        }
        row.appendChild(cell);
      });
      var shape = p.element && registry.get(p.element);
      if (shape) {
        canvas.addMarker(p.element, "gc-problem");
        marked.push(p.element);
        row.classList.add("selectable");
        row.addEventListener("click", function () { modeler.get("selection").select(shape); });
      }
      body.appendChild(row);
    });
    problemsBox.hidden = problems.length === 0;
  }

  // --- server ------------------------------------------------------------------------------------------------
  function post(url, body) {
    var headers = { "X-CSRFToken": data.csrf, "Accept": "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/xml";
    }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        return response.json().then(function (json) { return { status: response.status, json: json }; });
      });
  }

  function refused(reply) {
    var error = reply.json.error || {};
    say(error.message || format(text.failed, { reason: reply.status }), true);
    showProblems(error.problems || []);
  }

  function save() {
    say(text.saving);
    var wasDirty = dirty;
    dirty = false; // edits made while the request runs make it dirty again
    return modeler.saveXML({ format: true }).then(function (result) {
      return post(data.save, result.xml);
    }).then(function (reply) {
      if (reply.status !== 200) {
        dirty = dirty || wasDirty;
        refused(reply);
        return false;
      }
      say(format(text.saved, { when: reply.json.saved_at_text }));
      return true;
    });
  }

  function validate() {
    return save().then(function (ok) {
      return ok && post(data.validate).then(function (reply) {
        if (reply.status !== 200) {
          refused(reply);
          return;
        }
        showProblems(reply.json.problems);
        if (reply.json.valid) {
          say(text.valid);
        }
      });
    });
  }

  function deploy() {
    // Deploying makes the next version live at once: new cases use it.
    if (!window.confirm(text.confirmDeploy)) {
      return Promise.resolve();
    }
    return save().then(function (ok) {
      return ok && post(data.deploy).then(function (reply) {
        if (reply.status !== 201 && reply.status !== 200) {
          refused(reply);
          return;
        }
        showProblems([]);
        say(format(reply.status === 201 ? text.deployed : text.unchanged, { version: reply.json.version }));
        var link = document.createElement("a");
        link.href = reply.json.url;
        link.textContent = " " + text.openVersions;
        link.setAttribute("data-versions-link", "");
        status.appendChild(link);
      });
    });
  }

  var actions = { save: save, validate: validate, deploy: deploy };
  root.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      root.querySelectorAll("[data-action]").forEach(function (b) { b.disabled = true; });
      actions[button.dataset.action]().catch(function (err) {
        say(format(text.failed, { reason: err.message || err }), true);
      }).then(function () {
        root.querySelectorAll("[data-action]").forEach(function (b) { b.disabled = false; });
      });
    });
  });

  fetch(data.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.text();
    })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      canvas.zoom("fit-viewport");
      render(null);
      root.setAttribute("data-ready", "");
    })
    .catch(function (err) {
      say(format(text.cannotOpen, { reason: err.message || err }), true);
    });
})();
