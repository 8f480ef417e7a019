// The entity page: everything the graph knows about one IRI (GraphQL entity): its identifiers on every
// platform, its types, what it is linked to in both directions, and for organisation nodes and sensors the
// relations people ask about first (who operates it, what uses its data, which standards apply).
(function () {
  "use strict";
  var KG = window.KG;
  var body = document.getElementById("entity-body");
  if (!body) return;
  var t = KG.t;
  var el = KG.el;
  var status = document.getElementById("entity-status");
  var iri = KG.config.iri || "";
  var PAGE = 50;

  var REF = "iri label { ko en }";
  var ENTITY_QUERY =
    "query EntityPage($iri: String!, $first: Int!) { entity(iri: $iri) { iri kind label { ko en } " +
    "types { " + REF + " } graphs " +
    "identifiers { value scheme schemeLabel { ko en } source property holder } " +
    "outgoingLinks(first: $first) { ...LinkPage } incomingLinks(first: $first) { ...LinkPage } " +
    "asSensor { serial model location { lon lat } platform { " + REF + " } district { iri nameKo nameEn } " +
    "latestObservations { number unitSymbol time property { name label { ko en } } } " +
    "datasets { " + REF + " } systemsUsingData { " + REF + " } } " +
    "asSpatialObject { smapId use floors heightMetres location { lon lat } platform { " + REF + " } " +
    "district { iri nameKo nameEn } } " +
    "asDistrict { code areaSquareMetres sensorCount } " +
    "asOrganisationNode { code " +
    "... on Department { systems { " + REF + " } platforms { " + REF + " } businesses { " + REF + " } " +
    "services { " + REF + " } datasets { " + REF + " } } " +
    "... on InformationSystem { operatedBy { " + REF + " } providesDatasets { " + REF + " } " +
    "usesDatasets { " + REF + " } platforms { " + REF + " } functions { " + REF + " } " +
    "standards { confirmed standard { " + REF + " } } services { " + REF + " } businesses { " + REF + " } updateCycle } " +
    "... on Platform { operatedBy { " + REF + " } linkedSystems { " + REF + " } functions { " + REF + " } " +
    "standards { confirmed standard { " + REF + " } } } " +
    "... on Dataset { publisher { " + REF + " } providers { " + REF + " } usedBySystems { " + REF + " } " +
    "usedByServices { " + REF + " } usedByBusinesses { " + REF + " } platforms { " + REF + " } " +
    "functions { " + REF + " } standards { confirmed standard { " + REF + " } } updateCycle " +
    "lastSubmission { submission submittedAt status conformed } } " +
    "... on CityService { operatedBy { " + REF + " } dependsOn { " + REF + " } business { " + REF + " } " +
    "functions { " + REF + " } usesDatasets { " + REF + " } } " +
    "... on DepartmentBusiness { department { " + REF + " } systems { " + REF + " } services { " + REF + " } " +
    "datasets { " + REF + " } functions { " + REF + " } } } } } " +
    "fragment LinkPage on LinkConnection { pageInfo { hasNextPage endCursor } edges { node { " +
    "predicate predicateLabel { ko en } nodeIri node { kind label { ko en } } literal datatype language graph } } }";
  var MORE_QUERY =
    "query EntityLinks($iri: String!, $first: Int!, $after: String, $outgoing: Boolean!) { entity(iri: $iri) { " +
    "outgoingLinks(first: $first, after: $after) @include(if: $outgoing) { ...LinkPage } " +
    "incomingLinks(first: $first, after: $after) @skip(if: $outgoing) { ...LinkPage } } } " +
    "fragment LinkPage on LinkConnection { pageInfo { hasNextPage endCursor } edges { node { " +
    "predicate predicateLabel { ko en } nodeIri node { kind label { ko en } } literal datatype language graph } } }";

  function refLink(ref) {
    return KG.entityLink(ref.iri, KG.text(ref.label) || KG.displayIri(ref.iri));
  }

  function refList(refs) {
    if (!refs || !refs.length) return el("span", { class: "meta" }, [t("entity.none")]);
    return el("ul", { class: "link-list" }, refs.map(function (ref) { return el("li", {}, [refLink(ref)]); }));
  }

  function fact(list, key, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", {}, [t(key)]));
    list.appendChild(el("dd", {}, [value]));
  }

  function standardsList(claims) {
    if (!claims || !claims.length) return el("span", { class: "meta" }, [t("entity.none")]);
    return el(
      "ul",
      { class: "link-list" },
      claims.map(function (claim) {
        return el("li", {}, [
          KG.entityLink(claim.standard.iri, KG.text(claim.standard.label) || KG.shortIri(claim.standard.iri), {
            href: KG.href("/standards", { standard: KG.shortIri(claim.standard.iri) }),
          }),
          " (" + t(claim.confirmed ? "entity.standard_confirmed" : "entity.standard_claimed") + ")",
        ]);
      })
    );
  }

  function renderSummary(entity) {
    var list = document.getElementById("entity-summary");
    fact(list, "entity.iri", el("code", {}, [entity.iri]));
    var names = [];
    if (entity.label.ko) names.push(el("li", { lang: "ko" }, [entity.label.ko]));
    if (entity.label.en) names.push(el("li", { lang: "en" }, [entity.label.en]));
    if (names.length) fact(list, "entity.labels", el("ul", { class: "link-list" }, names));
    fact(list, "entity.kind", t("kind." + entity.kind));
    fact(list, "entity.types", refList(entity.types));
    fact(
      list,
      "entity.graphs",
      el("ul", { class: "link-list" }, entity.graphs.map(function (graph) { return el("li", {}, [el("code", {}, [graph])]); }))
    );
    var sensor = entity.asSensor;
    var place = entity.asSpatialObject;
    var located = (sensor && sensor.location) || (place && place.location);
    if (located) fact(list, "entity.location", located.lat.toFixed(5) + ", " + located.lon.toFixed(5) + " (WGS84)");
    var district = (sensor && sensor.district) || (place && place.district);
    if (district) {
      fact(list, "entity.district", KG.entityLink(district.iri, KG.config.lang === "en" ? district.nameEn : district.nameKo));
    }
    if (entity.asDistrict) fact(list, "map.col.sensors", KG.formatNumber(entity.asDistrict.sensorCount));
    if (sensor && sensor.latestObservations.length) {
      fact(
        list,
        "entity.latest",
        el(
          "ul",
          { class: "link-list" },
          sensor.latestObservations.map(function (o) {
            return el("li", {}, [
              KG.text(o.property.label) + ": " + KG.formatNumber(o.number) + (o.unitSymbol ? " " + o.unitSymbol : "") + " (" + o.time + ")",
            ]);
          })
        )
      );
    }
  }

  function renderIdentifiers(entity) {
    var box = document.getElementById("entity-identifiers");
    if (!entity.identifiers.length) {
      box.appendChild(el("p", { class: "meta" }, [t("entity.no_identifiers")]));
      return;
    }
    var rows = entity.identifiers.map(function (identifier) {
      return el("tr", {}, [
        el("th", { scope: "row" }, [el("code", {}, [identifier.value])]),
        el("td", {}, [
          identifier.scheme
            ? KG.entityLink(identifier.scheme, KG.text(identifier.schemeLabel) || KG.shortIri(identifier.scheme))
            : KG.text(identifier.schemeLabel),
        ]),
        el("td", {}, [
          t("entity.source." + identifier.source),
          identifier.property ? el("span", { class: "meta" }, [" (" + KG.shortIri(identifier.property) + ")"]) : null,
        ]),
        el("td", {}, [identifier.holder === entity.iri ? el("span", {}, ["—"]) : KG.entityLink(identifier.holder)]),
      ]);
    });
    box.appendChild(
      el("table", { id: "identifiers-table" }, [
        el("caption", { class: "visually-hidden" }, [t("entity.identifiers")]),
        el("thead", {}, [
          el("tr", {}, [
            el("th", { scope: "col" }, [t("entity.col.value")]),
            el("th", { scope: "col" }, [t("entity.col.scheme")]),
            el("th", { scope: "col" }, [t("entity.col.source")]),
            el("th", { scope: "col" }, [t("entity.col.holder")]),
          ]),
        ]),
        el("tbody", {}, rows),
      ])
    );
  }

  function renderRelations(entity) {
    var list = document.getElementById("entity-relations");
    var node = entity.asOrganisationNode || {};
    var sensor = entity.asSensor;
    var place = entity.asSpatialObject;
    if (node.operatedBy) fact(list, "entity.operated_by", refLink(node.operatedBy));
    if (node.publisher) fact(list, "entity.publisher", refLink(node.publisher));
    if (node.department) fact(list, "entity.department", refLink(node.department));
    if (node.business) fact(list, "entity.businesses", refLink(node.business));
    var platform = (sensor && sensor.platform) || (place && place.platform);
    if (platform) fact(list, "entity.platforms", refLink(platform));
    var lists = [
      ["platforms", "entity.platforms"],
      ["linkedSystems", "entity.systems"],
      ["systems", "entity.systems"],
      ["dependsOn", "entity.depends_on"],
      ["providers", "entity.providers"],
      ["providesDatasets", "entity.provides"],
      ["usesDatasets", "entity.uses"],
      ["datasets", "entity.datasets"],
      ["usedBySystems", "entity.used_by_systems"],
      ["usedByServices", "entity.used_by_services"],
      ["usedByBusinesses", "entity.used_by_businesses"],
      ["services", "entity.services"],
      ["businesses", "entity.businesses"],
      ["functions", "entity.functions"],
    ];
    lists.forEach(function (pair) {
      if (Array.isArray(node[pair[0]])) fact(list, pair[1], refList(node[pair[0]]));
    });
    if (Array.isArray(node.standards)) fact(list, "entity.standards", standardsList(node.standards));
    if (node.updateCycle) fact(list, "entity.update_cycle", node.updateCycle);
    if (node.lastSubmission) {
      var last = node.lastSubmission;
      fact(list, "entity.last_submission", KG.shortIri(last.submission) + " · " + last.status + " · " + last.submittedAt);
    }
    if (sensor) {
      fact(list, "entity.sensor_datasets", refList(sensor.datasets));
      fact(list, "entity.sensor_users", refList(sensor.systemsUsingData));
    }
    if (!list.childElementCount) list.appendChild(el("dd", { class: "meta" }, [t("entity.none")]));
  }

  function literalNode(link) {
    var parts = [el("span", { class: "literal" }, [link.literal])];
    if (link.language) parts.push(el("span", { class: "lang-tag" }, [" @" + link.language]));
    else if (link.datatype) parts.push(el("span", { class: "datatype" }, [" (" + KG.shortIri(link.datatype) + ")"]));
    return el("span", {}, parts);
  }

  function linkRow(link) {
    var other = link.nodeIri
      ? KG.entityLink(link.nodeIri, (link.node && KG.text(link.node.label)) || KG.displayIri(link.nodeIri))
      : literalNode(link);
    return el("tr", {}, [
      el("th", { scope: "row" }, [KG.entityLink(link.predicate, KG.text(link.predicateLabel) || KG.shortIri(link.predicate))]),
      el("td", {}, [other]),
      el("td", {}, [el("code", { class: "meta" }, [KG.shortIri(link.graph)])]),
    ]);
  }

  function linkTable(boxId, connection, outgoing) {
    var box = document.getElementById(boxId);
    if (!connection.edges.length) {
      box.appendChild(el("p", { class: "meta" }, [t("entity.no_links")]));
      return;
    }
    var tbody = el("tbody", {}, connection.edges.map(function (edge) { return linkRow(edge.node); }));
    var table = el("table", { class: "links-table", id: boxId + "-table" }, [
      el("caption", { class: "visually-hidden" }, [t(outgoing ? "entity.outgoing" : "entity.incoming")]),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { scope: "col" }, [t("entity.col.predicate")]),
          el("th", { scope: "col" }, [t("entity.col.other")]),
          el("th", { scope: "col" }, [t("entity.col.graph")]),
        ]),
      ]),
      tbody,
    ]);
    box.appendChild(el("div", { class: "table-scroll" }, [table]));
    var cursor = connection.pageInfo.endCursor;
    if (!connection.pageInfo.hasNextPage) return;
    var more = el("button", { type: "button", class: "more" }, [t("entity.more")]);
    more.addEventListener("click", async function () {
      more.disabled = true;
      try {
        var result = await KG.graphql(MORE_QUERY, { iri: iri, first: PAGE, after: cursor, outgoing: outgoing });
        var page = outgoing ? result.data.entity.outgoingLinks : result.data.entity.incomingLinks;
        page.edges.forEach(function (edge) { tbody.appendChild(linkRow(edge.node)); });
        cursor = page.pageInfo.endCursor;
        if (!page.pageInfo.hasNextPage) more.remove();
        else more.disabled = false;
      } catch (error) {
        KG.showError(status, error);
        more.disabled = false;
      }
    });
    box.appendChild(el("p", {}, [more]));
  }

  async function load() {
    if (!iri) return;
    try {
      var result = await KG.graphql(ENTITY_QUERY, { iri: iri, first: PAGE });
      var entity = result.data.entity;
      if (!entity) {
        KG.setStatus(status, t("entity.not_found"));
        status.appendChild(el("br"));
        status.appendChild(el("code", {}, [iri]));
        return;
      }
      var name = KG.text(entity.label) || (entity.asSensor && entity.asSensor.serial) || KG.displayIri(entity.iri);
      var title = document.getElementById("entity-title");
      title.textContent = name + " ";
      title.appendChild(el("span", { class: "subtitle" }, [t("kind." + entity.kind)]));
      document.title = name + " · " + document.title;
      renderSummary(entity);
      renderIdentifiers(entity);
      renderRelations(entity);
      linkTable("entity-outgoing", entity.outgoingLinks, true);
      linkTable("entity-incoming", entity.incomingLinks, false);
      body.hidden = false;
      KG.setStatus(status, "");
      body.setAttribute("data-ready", "true");
    } catch (error) {
      KG.showError(status, error);
    }
  }

  load();
})();
