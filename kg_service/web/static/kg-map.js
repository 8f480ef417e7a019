// The map of Seoul in plain SVG: the 25 district boundaries from the graph's WKT geometries (GraphQL
// districts.geometryWkt, CRS84), sensors as points coloured by platform or by their latest value of a chosen
// property, and S-Map objects. No tiles, no map library: every shape comes from /graphql on this server.
// Each point is an SVG link: click it, or Tab to it and press Enter, to open the entity page.
(function () {
  "use strict";
  var KG = window.KG;
  var svgRoot = document.getElementById("map-svg");
  if (!svgRoot) return;
  var t = KG.t;
  var el = KG.el;
  var svg = KG.svg;
  var status = document.getElementById("map-status");
  var layers = {
    districts: document.getElementById("map-districts"),
    labels: document.getElementById("map-labels"),
    objects: document.getElementById("map-objects"),
    sensors: document.getElementById("map-sensors"),
  };
  var legend = document.getElementById("map-legend-items");
  var colourSelect = document.getElementById("map-colour");

  var SCALE = 10000; // viewBox units per degree of latitude
  var SENSOR_RADIUS_PX = 6;
  var OBJECT_SIZE_PX = 16; // drawn hollow, above the sensors: a sensor inside an object stays visible
  var MAX_SENSORS = 5000;
  var MAX_OBJECTS = 2000;
  // Okabe–Ito colours (distinguishable with colour-blindness), each with a dark outline on the map.
  var PLATFORM_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#8C564B"];
  var NO_PLATFORM_COLOUR = "#D55E00";
  var VALUE_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  var NO_VALUE_COLOUR = "#9aa3ad";
  var OBJECT_COLOUR = "#4b2c83";

  var DISTRICTS_QUERY =
    "query MapDistricts { districts { iri code nameKo nameEn sensorCount geometryWkt " +
    "sensorCountsByProperty { count property { name label { ko en } } } } " +
    "platforms { code label { ko en } } }";
  var SENSORS_QUERY =
    "query MapSensors($after: String) { sensors(first: 500, after: $after) { " +
    "pageInfo { hasNextPage endCursor } edges { node { iri displayName platform { code } " +
    "district { nameKo nameEn } location { lon lat } } } } }";
  var OBJECTS_QUERY =
    "query MapObjects($after: String) { spatialObjects(first: 500, after: $after) { " +
    "pageInfo { hasNextPage endCursor } edges { node { iri kind smapId label { ko en } " +
    "location { lon lat } } } } }";
  var VALUES_QUERY =
    "query MapValues($property: String!, $after: String) { " +
    "sensors(first: 100, after: $after, filter: { observedProperty: $property }) { " +
    "pageInfo { hasNextPage endCursor } edges { node { iri " +
    "latestObservations(property: $property) { number unitSymbol time } } } } }";

  var state = {
    projection: null,
    full: null, // the whole city's viewBox
    view: null,
    sensors: [],
    objects: [],
    platforms: [],
    properties: [],
    values: {}, // property name → {iri → observation}
  };

  // -- geometry ------------------------------------------------------------------------------------------

  // WKT (optionally prefixed by a CRS IRI) → rings of [lon, lat]: each innermost "( … )" is one ring, which
  // covers POINT, LINESTRING, POLYGON and MULTIPOLYGON alike.
  function parseWkt(wkt) {
    var body = String(wkt || "").replace(/^\s*<[^>]*>\s*/, "");
    var rings = [];
    var pattern = /\(([^()]+)\)/g;
    var match;
    while ((match = pattern.exec(body))) {
      rings.push(
        match[1].split(",").map(function (pair) {
          return pair.trim().split(/\s+/).map(Number);
        })
      );
    }
    return rings;
  }

  function makeProjection(allRings) {
    var minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    allRings.forEach(function (ring) {
      ring.forEach(function (point) {
        minLon = Math.min(minLon, point[0]);
        maxLon = Math.max(maxLon, point[0]);
        minLat = Math.min(minLat, point[1]);
        maxLat = Math.max(maxLat, point[1]);
      });
    });
    var cos = Math.cos(((minLat + maxLat) / 2) * (Math.PI / 180));
    var project = function (lon, lat) {
      return [(lon - minLon) * cos * SCALE, (maxLat - lat) * SCALE];
    };
    var width = (maxLon - minLon) * cos * SCALE;
    var height = (maxLat - minLat) * SCALE;
    var pad = Math.max(width, height) * 0.03;
    return { project: project, box: { x: -pad, y: -pad, w: width + 2 * pad, h: height + 2 * pad } };
  }

  function ringPath(ring) {
    return (
      "M" +
      ring
        .map(function (point) {
          var xy = state.projection.project(point[0], point[1]);
          return xy[0].toFixed(1) + " " + xy[1].toFixed(1);
        })
        .join("L") +
      "Z"
    );
  }

  // Area-weighted centroid of the largest ring (where the district's name goes).
  function labelPoint(rings) {
    var best = null;
    rings.forEach(function (ring) {
      var area = 0, cx = 0, cy = 0;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = state.projection.project(ring[j][0], ring[j][1]);
        var b = state.projection.project(ring[i][0], ring[i][1]);
        var cross = a[0] * b[1] - b[0] * a[1];
        area += cross;
        cx += (a[0] + b[0]) * cross;
        cy += (a[1] + b[1]) * cross;
      }
      if (area !== 0 && (!best || Math.abs(area) > best.area)) {
        best = { area: Math.abs(area), x: cx / (3 * area), y: cy / (3 * area) };
      }
    });
    return best;
  }

  // -- view (zoom and pan) ------------------------------------------------------------------------------

  function unitsPerPixel() {
    var width = svgRoot.clientWidth || 800;
    var height = svgRoot.clientHeight || 600;
    return Math.max(state.view.w / width, state.view.h / height);
  }

  function applyView() {
    var v = state.view;
    svgRoot.setAttribute("viewBox", [v.x, v.y, v.w, v.h].map(function (n) { return n.toFixed(1); }).join(" "));
    var unit = unitsPerPixel();
    svgRoot.querySelectorAll("circle.point").forEach(function (node) {
      node.setAttribute("r", (SENSOR_RADIUS_PX * unit).toFixed(1));
    });
    svgRoot.querySelectorAll("circle.focus-ring").forEach(function (node) {
      node.setAttribute("r", ((SENSOR_RADIUS_PX + 4) * unit).toFixed(1));
      node.setAttribute("stroke-width", (3 * unit).toFixed(1));
    });
    svgRoot.querySelectorAll("rect.point").forEach(function (node) {
      var size = OBJECT_SIZE_PX * unit;
      node.setAttribute("x", (Number(node.getAttribute("data-x")) - size / 2).toFixed(1));
      node.setAttribute("y", (Number(node.getAttribute("data-y")) - size / 2).toFixed(1));
      node.setAttribute("width", size.toFixed(1));
      node.setAttribute("height", size.toFixed(1));
    });
    svgRoot.querySelectorAll("rect.focus-ring").forEach(function (node) {
      var size = (OBJECT_SIZE_PX + 9) * unit;
      node.setAttribute("x", (Number(node.getAttribute("data-x")) - size / 2).toFixed(1));
      node.setAttribute("y", (Number(node.getAttribute("data-y")) - size / 2).toFixed(1));
      node.setAttribute("width", size.toFixed(1));
      node.setAttribute("height", size.toFixed(1));
      node.setAttribute("stroke-width", (3 * unit).toFixed(1));
    });
    svgRoot.querySelectorAll(".district").forEach(function (node) {
      node.setAttribute("stroke-width", (1.2 * unit).toFixed(2));
    });
    svgRoot.querySelectorAll(".district-label").forEach(function (node) {
      node.setAttribute("font-size", (12 * unit).toFixed(1));
      node.setAttribute("stroke-width", (3 * unit).toFixed(1));
    });
    svgRoot.querySelectorAll("circle.point").forEach(function (node) {
      node.setAttribute("stroke-width", (1.5 * unit).toFixed(2));
    });
    svgRoot.querySelectorAll("rect.point").forEach(function (node) {
      node.setAttribute("stroke-width", (2.5 * unit).toFixed(2));
    });
  }

  function zoom(factor) {
    var v = state.view;
    var full = state.full;
    var w = Math.min(full.w, Math.max(full.w / 64, v.w * factor));
    var h = (w / v.w) * v.h;
    var cx = v.x + v.w / 2;
    var cy = v.y + v.h / 2;
    state.view = { x: cx - w / 2, y: cy - h / 2, w: w, h: h };
    if (w >= full.w) state.view = Object.assign({}, full);
    applyView();
  }

  function setUpViewControls() {
    document.getElementById("map-zoom-in").addEventListener("click", function () { zoom(0.5); });
    document.getElementById("map-zoom-out").addEventListener("click", function () { zoom(2); });
    document.getElementById("map-zoom-reset").addEventListener("click", function () {
      state.view = Object.assign({}, state.full);
      applyView();
    });
    var drag = null;
    svgRoot.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || event.target.closest("a")) return;
      drag = { x: event.clientX, y: event.clientY, view: Object.assign({}, state.view), moved: false };
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var unit = unitsPerPixel();
      var dx = (event.clientX - drag.x) * unit;
      var dy = (event.clientY - drag.y) * unit;
      if (Math.abs(dx) + Math.abs(dy) > 2 * unit) drag.moved = true;
      state.view = { x: drag.view.x - dx, y: drag.view.y - dy, w: drag.view.w, h: drag.view.h };
      applyView();
    });
    window.addEventListener("pointerup", function () {
      if (drag && drag.moved) svgRoot.setAttribute("data-dragged", "true");
      drag = null;
    });
    window.addEventListener("resize", applyView);
    document.getElementById("map-show-sensors").addEventListener("change", function (event) {
      layers.sensors.classList.toggle("hidden-layer", !event.target.checked);
    });
    document.getElementById("map-show-objects").addEventListener("change", function (event) {
      layers.objects.classList.toggle("hidden-layer", !event.target.checked);
    });
  }

  // -- drawing -----------------------------------------------------------------------------------------

  function districtName(district) {
    return KG.config.lang === "en" ? district.nameEn || district.nameKo : district.nameKo || district.nameEn;
  }

  function drawDistricts(districts) {
    var parsed = districts.map(function (district) {
      return { district: district, rings: parseWkt(district.geometryWkt) };
    });
    var all = [];
    parsed.forEach(function (item) { all = all.concat(item.rings); });
    state.projection = makeProjection(all);
    state.full = state.projection.box;
    state.view = Object.assign({}, state.full);
    var tableBody = document.querySelector("#districts-table tbody");
    parsed.forEach(function (item) {
      var district = item.district;
      var name = districtName(district);
      var path = svg("path", {
        class: "district",
        d: item.rings.map(ringPath).join(""),
        "fill-rule": "evenodd",
        "data-code": district.code,
        "data-iri": district.iri,
      });
      var title = svg("title");
      title.textContent = name + " (" + district.code + ") — " + t("map.col.sensors") + " " + district.sensorCount;
      path.appendChild(title);
      path.addEventListener("click", function () {
        if (svgRoot.getAttribute("data-dragged") === "true") {
          svgRoot.removeAttribute("data-dragged");
          return;
        }
        window.location.assign(KG.entityHref(district.iri));
      });
      layers.districts.appendChild(path);
      var at = labelPoint(item.rings);
      if (at) {
        var label = svg("text", { class: "district-label", x: at.x.toFixed(1), y: at.y.toFixed(1), "text-anchor": "middle" });
        label.textContent = name;
        layers.labels.appendChild(label);
      }
      tableBody.appendChild(
        el("tr", {}, [
          el("th", { scope: "row" }, [KG.entityLink(district.iri, name)]),
          el("td", {}, [district.code]),
          el("td", {}, [KG.formatNumber(district.sensorCount)]),
        ])
      );
    });
  }

  function pointLink(iri, labelText) {
    var link = svg("a", { href: KG.entityHref(iri), "aria-label": labelText, class: "map-point", "data-iri": iri });
    var title = svg("title");
    title.textContent = labelText;
    link.appendChild(title);
    return link;
  }

  function drawSensors() {
    layers.sensors.textContent = "";
    state.sensors.forEach(function (sensor) {
      if (!sensor.location) return;
      var xy = state.projection.project(sensor.location.lon, sensor.location.lat);
      var link = pointLink(sensor.iri, "");
      link.classList.add("sensor-point");
      link.appendChild(svg("circle", { class: "focus-ring", cx: xy[0].toFixed(1), cy: xy[1].toFixed(1) }));
      link.appendChild(svg("circle", { class: "point sensor", cx: xy[0].toFixed(1), cy: xy[1].toFixed(1) }));
      sensor.node = link;
      layers.sensors.appendChild(link);
    });
  }

  function drawObjects() {
    layers.objects.textContent = "";
    state.objects.forEach(function (object) {
      if (!object.location) return;
      var xy = state.projection.project(object.location.lon, object.location.lat);
      var name = KG.text(object.label) || object.smapId || KG.shortIri(object.iri);
      var labelText = t("map.point_object", { kind: t("kind." + object.kind), name: name });
      var link = pointLink(object.iri, labelText);
      link.classList.add("object-point");
      var at = { "data-x": xy[0].toFixed(1), "data-y": xy[1].toFixed(1) };
      link.appendChild(svg("rect", Object.assign({ class: "focus-ring" }, at)));
      link.appendChild(svg("rect", Object.assign({ class: "point object", fill: "none", stroke: OBJECT_COLOUR }, at)));
      layers.objects.appendChild(link);
    });
  }

  function swatch(colour, shape) {
    var box = svg("svg", { width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true", focusable: "false" });
    if (shape === "square") box.appendChild(svg("rect", { x: 2.5, y: 2.5, width: 13, height: 13, fill: "none", stroke: colour, "stroke-width": 2.5 }));
    else box.appendChild(svg("circle", { cx: 9, cy: 9, r: 6.5, fill: colour, stroke: "#1b1f24", "stroke-width": 1.5 }));
    var frame = el("span", { class: "swatch" });
    frame.appendChild(box);
    return frame;
  }

  function legendItem(colour, shape, label, count) {
    var item = el("li", {}, [swatch(colour, shape), label + (count !== undefined ? " (" + KG.formatNumber(count) + ")" : "")]);
    legend.appendChild(item);
  }

  function sensorLabel(sensor, extra) {
    var parts = [t("map.point_sensor", { name: sensor.displayName })];
    if (sensor.platform) parts.push(platformName(sensor.platform.code));
    if (sensor.district) parts.push(KG.config.lang === "en" ? sensor.district.nameEn : sensor.district.nameKo);
    if (extra) parts.push(extra);
    return parts.filter(Boolean).join(", ");
  }

  function platformName(code) {
    var platform = state.platforms.filter(function (p) { return p.code === code; })[0];
    return platform ? KG.text(platform.label) || code : code;
  }

  function setSensorLook(sensor, colour, labelText) {
    if (!sensor.node) return;
    sensor.node.querySelector("circle.point").setAttribute("fill", colour);
    sensor.node.setAttribute("aria-label", labelText);
    sensor.node.querySelector("title").textContent = labelText;
  }

  function colourByPlatform() {
    legend.textContent = "";
    var colours = {};
    var counts = {};
    state.platforms.forEach(function (platform, index) {
      colours[platform.code] = PLATFORM_COLOURS[index % PLATFORM_COLOURS.length];
    });
    state.sensors.forEach(function (sensor) {
      var code = sensor.platform ? sensor.platform.code : "";
      counts[code] = (counts[code] || 0) + 1;
      setSensorLook(sensor, code ? colours[code] || NO_PLATFORM_COLOUR : NO_PLATFORM_COLOUR, sensorLabel(sensor));
    });
    state.platforms.forEach(function (platform) {
      if (counts[platform.code]) legendItem(colours[platform.code], "circle", KG.text(platform.label) || platform.code, counts[platform.code]);
    });
    if (counts[""]) legendItem(NO_PLATFORM_COLOUR, "circle", t("map.no_platform"), counts[""]);
    objectLegend();
  }

  function objectLegend() {
    if (state.objects.length) legendItem(OBJECT_COLOUR, "square", t("map.smap_objects"), state.objects.length);
  }

  async function loadValues(property) {
    if (state.values[property]) return state.values[property];
    var values = {};
    var after = null;
    for (var page = 0; page < 100; page += 1) {
      var body = await KG.graphql(VALUES_QUERY, { property: property, after: after });
      var connection = body.data.sensors;
      connection.edges.forEach(function (edge) {
        var latest = edge.node.latestObservations[0];
        if (latest) values[edge.node.iri] = latest;
      });
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    state.values[property] = values;
    return values;
  }

  async function colourByProperty(name) {
    var property = state.properties.filter(function (p) { return p.name === name; })[0];
    var propertyName = property ? KG.text(property.label) || name : name;
    KG.setStatus(status, t("status.loading"));
    var values = await loadValues(name);
    var numbers = Object.keys(values).map(function (iri) { return values[iri].number; });
    var min = Math.min.apply(null, numbers);
    var max = Math.max.apply(null, numbers);
    var classes = VALUE_COLOURS.length;
    var step = numbers.length && max > min ? (max - min) / classes : 1;
    var unit = "";
    var counts = VALUE_COLOURS.map(function () { return 0; });
    var missing = 0;
    state.sensors.forEach(function (sensor) {
      var observation = values[sensor.iri];
      if (!observation) {
        missing += 1;
        setSensorLook(sensor, NO_VALUE_COLOUR, sensorLabel(sensor, t("map.no_value")));
        return;
      }
      unit = observation.unitSymbol || unit;
      var index = max > min ? Math.min(classes - 1, Math.floor((observation.number - min) / step)) : 0;
      counts[index] += 1;
      var shown = KG.formatNumber(observation.number) + (observation.unitSymbol ? " " + observation.unitSymbol : "");
      setSensorLook(sensor, VALUE_COLOURS[index], sensorLabel(sensor, t("map.latest", { property: propertyName, value: shown })));
    });
    legend.textContent = "";
    legend.appendChild(el("li", { class: "legend-title" }, [propertyName + (unit ? " (" + unit + ")" : "")]));
    VALUE_COLOURS.forEach(function (colour, index) {
      if (!numbers.length) return;
      var low = min + step * index;
      var high = index === classes - 1 ? max : min + step * (index + 1);
      if (max === min && index > 0) return;
      legendItem(colour, "circle", KG.formatNumber(low) + " – " + KG.formatNumber(high), counts[index]);
    });
    if (missing) legendItem(NO_VALUE_COLOUR, "circle", t("map.no_value"), missing);
    objectLegend();
    summary();
  }

  async function recolour() {
    try {
      if (colourSelect.value === "platform") colourByPlatform();
      else await colourByProperty(colourSelect.value);
      svgRoot.setAttribute("data-colour", colourSelect.value);
    } catch (error) {
      KG.showError(status, error);
    }
  }

  // -- loading -----------------------------------------------------------------------------------------

  async function loadAll(query, field, limit) {
    var items = [];
    var after = null;
    var truncated = false;
    while (true) {
      var body = await KG.graphql(query, { after: after });
      var connection = body.data[field];
      connection.edges.forEach(function (edge) { items.push(edge.node); });
      if (!connection.pageInfo.hasNextPage) break;
      if (items.length >= limit) {
        truncated = true;
        break;
      }
      after = connection.pageInfo.endCursor;
    }
    return { items: items, truncated: truncated };
  }

  var truncatedNote = "";

  function summary() {
    KG.setStatus(
      status,
      t("map.summary", {
        districts: layers.districts.childElementCount,
        sensors: state.sensors.length,
        objects: state.objects.length,
      }) + (truncatedNote ? " " + truncatedNote : "")
    );
  }

  async function load() {
    setUpViewControls();
    try {
      var first = await KG.graphql(DISTRICTS_QUERY);
      state.platforms = first.data.platforms;
      drawDistricts(first.data.districts);
      applyView();
      var totals = {};
      first.data.districts.forEach(function (district) {
        district.sensorCountsByProperty.forEach(function (entry) {
          var name = entry.property.name;
          if (!totals[name]) totals[name] = { name: name, label: entry.property.label, count: 0 };
          totals[name].count += entry.count;
        });
      });
      state.properties = Object.keys(totals).sort().map(function (name) { return totals[name]; });
      state.properties.forEach(function (property) {
        colourSelect.appendChild(
          el("option", { value: property.name }, [t("map.by_property", { name: KG.text(property.label) || property.name })])
        );
      });
      var loaded = await Promise.all([
        loadAll(SENSORS_QUERY, "sensors", MAX_SENSORS),
        loadAll(OBJECTS_QUERY, "spatialObjects", MAX_OBJECTS),
      ]);
      state.sensors = loaded[0].items;
      state.objects = loaded[1].items;
      if (loaded[1].truncated || loaded[0].truncated) {
        truncatedNote = t("map.truncated", { n: KG.formatNumber(Math.max(state.sensors.length, state.objects.length)) });
      }
      drawObjects();
      drawSensors();
      applyView();
      colourSelect.addEventListener("change", recolour);
      await recolour();
      summary();
      svgRoot.setAttribute("data-ready", "true");
    } catch (error) {
      KG.showError(status, error);
    }
  }

  load();
})();
