// Standards coverage: every standard with the datasets conforming to or claiming it (GraphQL standards), and
// for the chosen one (?standard=slug) the local terms mapped to it (standardMappings) and its datasets with
// their last submission (datasetsConformingTo).
(function () {
  "use strict";
  var KG = window.KG;
  var table = document.getElementById("standards-table");
  if (!table) return;
  var t = KG.t;
  var el = KG.el;
  var status = document.getElementById("standards-status");
  var chosen = KG.config.slug || "";

  var LIST_QUERY =
    "query StandardsPage { standards { iri slug identifier label { ko en } title { ko en } " +
    "issuer { iri label { ko en } } datasets { confirmed } } }";
  var MAPPINGS_QUERY =
    "query StandardMappings($slug: String!) { standardMappings(standardSlug: $slug) { vocabularies " +
    "localTermCount mappedTermCount coverage mappings { localTerm localLabel { ko en } localKind relation " +
    "externalTerm definedIn } } }";
  var DATASETS_QUERY =
    "query StandardDatasets($slug: String!) { datasetsConformingTo(standard: $slug) { confirmed " +
    "dataset { iri code label { ko en } publisher { iri label { ko en } } } " +
    "lastSubmission { submission submittedAt status conformed } } }";

  function renderList(standards) {
    var tbody = table.querySelector("tbody");
    standards.forEach(function (standard) {
      var confirmed = standard.datasets.filter(function (d) { return d.confirmed; }).length;
      var claimed = standard.datasets.length - confirmed;
      var link = el("a", { href: KG.href("/standards", { standard: standard.slug }) }, [KG.text(standard.label) || standard.slug]);
      if (standard.slug === chosen) link.setAttribute("aria-current", "true");
      tbody.appendChild(
        el("tr", { "data-slug": standard.slug, class: standard.slug === chosen ? "current" : null }, [
          el("th", { scope: "row" }, [link]),
          el("td", {}, [standard.identifier || ""]),
          el("td", {}, [standard.issuer ? KG.text(standard.issuer.label) : ""]),
          el("td", {}, [KG.formatNumber(confirmed) + " / " + KG.formatNumber(claimed)]),
        ])
      );
    });
    table.hidden = false;
  }

  function dataTable(id, caption, headers, rows) {
    return el("div", { class: "table-scroll" }, [
      el("table", { id: id }, [
        el("caption", { class: "visually-hidden" }, [caption]),
        el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
        el("tbody", {}, rows),
      ]),
    ]);
  }

  function externalLink(iri) {
    return el("code", {}, [iri]);
  }

  async function renderMappings(slug) {
    var box = document.getElementById("standard-mappings");
    try {
      var result = await KG.graphql(MAPPINGS_QUERY, { slug: slug });
      var report = result.data.standardMappings;
      box.appendChild(
        el("p", { class: "meta", id: "standard-coverage" }, [
          report.vocabularies.join(", ") + " — " +
            t("standards.coverage", {
              mapped: report.mappedTermCount,
              total: report.localTermCount,
              percent: KG.formatNumber(report.coverage * 100),
            }),
        ])
      );
      box.appendChild(
        dataTable(
          "mappings-table",
          t("standards.mappings"),
          [
            t("standards.col.local"),
            t("standards.col.local_kind"),
            t("standards.col.relation"),
            t("standards.col.external"),
            t("standards.col.defined_in"),
          ],
          report.mappings.map(function (m) {
            return el("tr", {}, [
              el("th", { scope: "row" }, [KG.entityLink(m.localTerm, KG.text(m.localLabel) || KG.shortIri(m.localTerm))]),
              el("td", {}, [m.localKind]),
              el("td", {}, [m.relation]),
              el("td", {}, [externalLink(m.externalTerm)]),
              el("td", {}, [m.definedIn]),
            ]);
          })
        )
      );
    } catch (error) {
      if (error.code === "BAD_USER_INPUT") box.appendChild(el("p", { class: "meta", id: "standard-coverage" }, [t("standards.no_vocabulary")]));
      else KG.showError(box.appendChild(el("p")), error);
    }
  }

  async function renderDatasets(slug) {
    var box = document.getElementById("standard-datasets");
    try {
      var result = await KG.graphql(DATASETS_QUERY, { slug: slug });
      var rows = result.data.datasetsConformingTo;
      if (!rows.length) {
        box.appendChild(el("p", { class: "meta" }, [t("standards.no_datasets")]));
        return;
      }
      box.appendChild(
        dataTable(
          "conforming-table",
          t("standards.conforming"),
          [
            t("standards.col.dataset"),
            t("entity.publisher"),
            t("standards.col.confirmed"),
            t("standards.col.last"),
          ],
          rows.map(function (row) {
            var dataset = row.dataset;
            var last = row.lastSubmission;
            var lastText = !last
              ? t("standards.never")
              : last.submittedAt + " · " + last.status +
                (last.conformed === null ? "" : " · " + t(last.conformed ? "standards.conformed" : "standards.not_conformed"));
            return el("tr", {}, [
              el("th", { scope: "row" }, [dataset ? KG.entityLink(dataset.iri, KG.text(dataset.label) || dataset.code) : "—"]),
              el("td", {}, [dataset && dataset.publisher ? KG.entityLink(dataset.publisher.iri, KG.text(dataset.publisher.label)) : ""]),
              el("td", {}, [t(row.confirmed ? "entity.standard_confirmed" : "entity.standard_claimed")]),
              el("td", { class: last && last.conformed === false ? "error" : null }, [lastText]),
            ]);
          })
        )
      );
    } catch (error) {
      KG.showError(box.appendChild(el("p")), error);
    }
  }

  async function load() {
    try {
      var result = await KG.graphql(LIST_QUERY);
      var standards = result.data.standards;
      renderList(standards);
      KG.setStatus(status, "");
      var standard = standards.filter(function (s) { return s.slug === chosen; })[0];
      if (standard) {
        var detail = document.getElementById("standard-detail");
        var heading = document.getElementById("standard-detail-title");
        heading.textContent = KG.text(standard.label) || standard.slug;
        document.getElementById("standard-detail-meta").textContent = [
          standard.identifier,
          KG.text(standard.title),
          standard.issuer ? KG.text(standard.issuer.label) : "",
        ]
          .filter(Boolean)
          .join(" · ");
        detail.hidden = false;
        await Promise.all([renderMappings(standard.slug), renderDatasets(standard.slug)]);
        detail.setAttribute("data-ready", "true");
      }
      table.setAttribute("data-ready", "true");
    } catch (error) {
      KG.showError(status, error);
    }
  }

  load();
})();
