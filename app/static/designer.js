// The diagram view on the designer's case type page: bpmn-js (app/static/vendor/, from npm) draws the
// version whose .bpmn the container names. Without bpmn-js the page keeps its tables and download links.
(function () {
  "use strict";
  var container = document.getElementById("bpmn-view");
  if (!container || !window.BpmnJS) {
    return;
  }
  fetch(container.dataset.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.text();
    })
    .then(function (xml) {
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(xml).then(function () {
        viewer.get("canvas").zoom("fit-viewport");
      });
    })
    .catch(function () {
      container.textContent = container.dataset.error;
    });
})();
