// The linkage table (연계테이블): rows of each department × the seven CPS functions, from GraphQL linkageTable.
// The department filter is the API's own (linkageTable(departmentCode:)); the platform filter keeps the rows
// that are, or are filled by, the platform itself, a system linked to it or a dataset hosted on it.
(function () {
  "use strict";
  var KG = window.KG;
  var table = document.getElementById("linkage-table");
  if (!table) return;
  var t = KG.t;
  var el = KG.el;
  var status = document.getElementById("linkage-status");
  var params = new URLSearchParams(window.location.search);
  var department = params.get("department") || "";
  var platform = params.get("platform") || "";

  var FILTERS_QUERY =
    "query LinkageFilters { departments { code label { ko en } } " +
    "platforms { iri code label { ko en } linkedSystems { iri } } datasets { iri platforms { iri } } }";
  var TABLE_QUERY =
    "query LinkageTable($department: String) { linkageTable(departmentCode: $department) { " +
    "department { code label { ko en } } functions { iri name notation label { ko en } } " +
    "rows { iri kind code label { ko en } department { iri code label { ko en } } " +
    "cells { filled sensorCount contributors { iri relation label { ko en } } } } } }";

  function otherLanguage(label) {
    return KG.config.lang === "en" ? label.ko : label.en;
  }

  function fillSelect(select, options, chosen) {
    options.forEach(function (option) {
      select.appendChild(el("option", { value: option.value, selected: option.value === chosen }, [option.label]));
    });
  }

  function downloadLinks() {
    var query = department ? "?department=" + encodeURIComponent(department) : "";
    var csv = document.getElementById("download-csv");
    var xlsx = document.getElementById("download-xlsx");
    csv.setAttribute("href", KG.config.linkageCsvPath + query);
    xlsx.setAttribute("href", KG.config.linkageXlsxPath + query);
    KG.wireAuthenticatedDownload(csv);
    KG.wireAuthenticatedDownload(xlsx);
  }

  // IRIs of what belongs to the chosen platform: itself, its linked systems, the datasets hosted on it.
  function platformMembers(filters) {
    if (!platform) return null;
    var chosen = filters.platforms.filter(function (p) {
      return p.code === platform;
    })[0];
    if (!chosen) return new Set();
    var members = new Set([chosen.iri]);
    chosen.linkedSystems.forEach(function (system) {
      members.add(system.iri);
    });
    filters.datasets.forEach(function (dataset) {
      if (dataset.platforms.some(function (p) { return p.iri === chosen.iri; })) members.add(dataset.iri);
    });
    return members;
  }

  function headerRow(functions) {
    var cells = [
      el("th", { scope: "col" }, [t("linkage.col.department")]),
      el("th", { scope: "col" }, [t("linkage.col.row")]),
    ];
    functions.forEach(function (fn) {
      var other = otherLanguage(fn.label);
      cells.push(
        el("th", { scope: "col", class: "function", "data-function": fn.name }, [
          el("span", { class: "no" }, [String(fn.notation || "")]),
          " " + KG.text(fn.label),
          other ? el("span", { class: "en", lang: KG.config.lang === "en" ? "ko" : "en" }, [other]) : null,
        ])
      );
    });
    return el("thead", {}, [el("tr", {}, cells)]);
  }

  function rowHeader(row) {
    return el("th", { scope: "row", "data-kind": row.kind }, [
      KG.entityLink(row.iri, KG.text(row.label) || row.code),
      " ",
      el("span", { class: "badge kind-" + row.kind }, [t("kind." + row.kind)]),
      row.code ? el("span", { class: "visually-hidden" }, [" " + row.code]) : null,
    ]);
  }

  function cellNode(cell, fn, members, counts) {
    if (!cell.filled) {
      counts.empty += 1;
      return el("td", { class: "empty", "data-function": fn.name }, [t("linkage.empty")]);
    }
    counts.filled += 1;
    var items = cell.contributors.map(function (contributor) {
      if (contributor.relation === "SELF") {
        return el("li", { class: "self", "data-relation": "SELF" }, [
          el("span", { class: "self-mark" }, ["✓ " + t("linkage.self")]),
        ]);
      }
      var onPlatform = members && members.has(contributor.iri);
      return el("li", { class: onPlatform ? "on-platform" : null, "data-relation": contributor.relation }, [
        el("a", { href: KG.entityHref(contributor.iri), "data-iri": contributor.iri }, [
          el("span", { class: "badge kind-" + contributor.relation }, [t("kind." + contributor.relation)]),
          KG.text(contributor.label) || KG.shortIri(contributor.iri),
        ]),
        onPlatform ? el("span", { class: "visually-hidden" }, [" (" + t("linkage.on_platform") + ")"]) : null,
      ]);
    });
    return el("td", { class: "filled", "data-function": fn.name }, [
      el("ul", { class: "contributors" }, items),
      cell.sensorCount
        ? el("p", { class: "sensor-count" }, [t("linkage.sensors", { n: KG.formatNumber(cell.sensorCount) })])
        : null,
    ]);
  }

  function render(linkage, members) {
    var functions = linkage.functions;
    var rows = linkage.rows.filter(function (row) {
      if (!members) return true;
      if (members.has(row.iri)) return true;
      return row.cells.some(function (cell) {
        return cell.contributors.some(function (c) { return members.has(c.iri); });
      });
    });
    table.textContent = "";
    var caption = t("linkage.caption") + (linkage.department ? " — " + KG.text(linkage.department.label) : "");
    table.appendChild(el("caption", {}, [caption]));
    table.appendChild(headerRow(functions));
    var counts = { filled: 0, empty: 0 };
    var groups = [];
    rows.forEach(function (row) {
      var code = row.department ? row.department.code : "";
      var last = groups[groups.length - 1];
      if (!last || last.code !== code) groups.push({ code: code, department: row.department, rows: [row] });
      else last.rows.push(row);
    });
    groups.forEach(function (group) {
      var body = el("tbody", { "data-department": group.code });
      group.rows.forEach(function (row, index) {
        var tr = el("tr", { "data-iri": row.iri, "data-code": row.code || "" });
        if (index === 0) {
          var name = group.department ? KG.text(group.department.label) || group.code : "—";
          tr.appendChild(
            el("th", { scope: "rowgroup", rowspan: group.rows.length }, [
              group.department ? KG.entityLink(group.department.iri, name) : name,
            ])
          );
        }
        tr.appendChild(rowHeader(row));
        row.cells.forEach(function (cell, position) {
          tr.appendChild(cellNode(cell, functions[position], members, counts));
        });
        body.appendChild(tr);
      });
      table.appendChild(body);
    });
    table.hidden = rows.length === 0;
    KG.setStatus(
      status,
      rows.length
        ? t("linkage.summary", { rows: rows.length, filled: counts.filled, empty: counts.empty })
        : t("linkage.no_rows")
    );
    table.setAttribute("data-ready", "true");
  }

  async function load() {
    downloadLinks();
    try {
      var results = await Promise.all([
        KG.graphql(FILTERS_QUERY),
        KG.graphql(TABLE_QUERY, { department: department || null }),
      ]);
      var filters = results[0].data;
      fillSelect(
        document.getElementById("filter-department"),
        filters.departments.map(function (d) {
          return { value: d.code, label: KG.text(d.label) || d.code };
        }),
        department
      );
      fillSelect(
        document.getElementById("filter-platform"),
        filters.platforms.map(function (p) {
          return { value: p.code, label: KG.text(p.label) || p.code };
        }),
        platform
      );
      render(results[1].data.linkageTable, platformMembers(filters));
    } catch (error) {
      KG.showError(status, error);
    }
  }

  load();
})();
