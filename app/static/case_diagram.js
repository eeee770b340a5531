// The case page's diagram: bpmn-js (app/static/vendor/, from npm) draws the case's version and marks the
// tasks completed so far, the open ones and the overdue ones with the CSS classes in gridcase.css. The legend
// beside it says the same in words. Without bpmn-js the page keeps its task list and history.
(function () {
  "use strict";
  var container = document.getElementById("case-diagram");
  if (!container || !window.BpmnJS) {
    return;
  }
  var MARKERS = { completed: "case-completed", current: "case-current", overdue: "case-overdue" };
  fetch(container.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.json();
    })
    .then(function (data) {
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(withLaneNames(data.xml, data.lanes || {})).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var marked = 0;
        Object.keys(MARKERS).forEach(function (kind) {
          (data[kind] || []).forEach(function (id) {
            if (registry.get(id)) {
              canvas.addMarker(id, MARKERS[kind]);
              marked += 1;
            }
          });
        });
        canvas.zoom("fit-viewport");
        container.dataset.marked = String(marked);
      });
    })
    .catch(function () {
      container.textContent = container.dataset.error;
    });

  // A lane's name in the diagram is the role key the engine matches ("grid_worker"); readers see the role's name.
  function withLaneNames(xml, names) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) {
      return xml;
    }
    var lanes = doc.getElementsByTagNameNS("http://www.omg.org/spec/BPMN/20100524/MODEL", "lane");
    Array.prototype.forEach.call(lanes, function (lane) {
      var name = names[lane.getAttribute("name")];
      if (name) {
        lane.setAttribute("name", name);
      }
    });
    return new XMLSerializer().serializeToString(doc);
  }
})();
