// The dashboard map: Leaflet (app/static/vendor/, from npm) draws the grids of the viewed unit from the page's
// GeoJSON (GET /dashboard/map.geojson, the same as /api/v1/stats/map). No tiles (no internet): polygons on a plain
// background. Colour follows the feature's level, and every polygon carries its name and counts as a tooltip and
// an accessible label; selecting one follows its drill-down link. Without Leaflet the page keeps its tables.
(function () {
  "use strict";
  var container = document.getElementById("dashboard-map");
  if (!container || !window.L) {
    return;
  }
  function failed() {
    container.textContent = container.dataset.error;
  }
  function follow(feature) {
    window.location.assign(feature.properties.href);
  }
  // Leaflet puts a string tooltip in as HTML; a unit's name or a case's title (an address a citizen typed) is text.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  // Any layer as a link: click, Enter or Space follows it; focus shows its tooltip; `data` marks it for tests.
  function linkLayer(feature, layer, label, data) {
    layer.on("click", function () { follow(feature); });
    layer.on("add", function () {
      var el = layer.getElement && layer.getElement();
      if (!el) {
        return;
      }
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "link");
      el.setAttribute("aria-label", label);
      el.setAttribute(data[0], data[1]);
      el.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          follow(feature);
        }
      });
      el.addEventListener("focus", function () { layer.openTooltip(); });
      el.addEventListener("blur", function () { layer.closeTooltip(); });
    });
  }
  function decorate(feature, layer) {
    var p = feature.properties;
    layer.bindTooltip(asText(p.label + " · " + p.level_label), { sticky: true });
    linkLayer(feature, layer, p.label + " · " + p.level_label, ["data-unit", p.org_unit]);
  }
  function isCase(feature) {
    return feature.properties.kind === "case";
  }
  // A case point: a small marker (overdue ones marked by class, colour and a thicker ring), its number, title and
  // overdue state as tooltip and label; selecting it opens the case.
  function caseMarker(feature, latlng) {
    var p = feature.properties;
    return window.L.circleMarker(latlng, {
      radius: 5,
      className: "map-case" + (p.overdue ? " map-case-overdue" : ""),
    });
  }
  function decorateCase(feature, layer) {
    var p = feature.properties;
    layer.bindTooltip(asText(p.label));
    linkLayer(feature, layer, p.label, ["data-case", p.number]);
  }
  fetch(container.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.json();
    })
    .then(function (collection) {
      var map = window.L.map(container, { attributionControl: false, zoomSnap: 0.25 });
      var grids = collection.features.filter(function (f) { return !isCase(f); });
      var cases = collection.features.filter(isCase);
      var layer = window.L.geoJSON({ type: "FeatureCollection", features: grids }, {
        style: function (feature) {
          return { className: "map-grid map-level-" + feature.properties.level };
        },
        onEachFeature: decorate,
      }).addTo(map);
      window.L.geoJSON({ type: "FeatureCollection", features: cases }, {
        pointToLayer: caseMarker,
        onEachFeature: decorateCase,
      }).addTo(map);
      if (grids.length) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      } else {
        map.setView([0, 0], 1);
      }
      container.dataset.features = String(grids.length);
      container.dataset.cases = String(cases.length);
    })
    .catch(failed);
})();
