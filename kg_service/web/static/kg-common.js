// What every page shares: settings and words from the page, the GraphQL client, the token, small DOM helpers.
// 모든 페이지가 함께 쓰는 것: 설정·문구, GraphQL 호출, 토큰, DOM 도우미.
// The token lives in sessionStorage (this tab only) and goes out only as an Authorization header to this server.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("kg-config").textContent);
  var TOKEN_KEY = "kg-service-token";
  var numberFormat = new Intl.NumberFormat(config.lang === "en" ? "en-GB" : "ko-KR", {
    maximumFractionDigits: 2,
  });

  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(config.messages, key) ? config.messages[key] : key;
    if (values) {
      Object.keys(values).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(values[name]));
      });
    }
    return text;
  }

  function href(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (name) {
      var value = params[name];
      if (value !== undefined && value !== null && value !== "") query.set(name, value);
    });
    if (config.lang === "en") query.set("lang", "en");
    var text = query.toString();
    return text ? path + "?" + text : path;
  }

  function entityHref(iri) {
    return href("/entity", { iri: iri });
  }

  // A LangString {ko, en} in the page's language, else the other one.
  function text(value) {
    if (!value) return "";
    var first = config.lang === "en" ? value.en : value.ko;
    var second = config.lang === "en" ? value.ko : value.en;
    return first || second || "";
  }

  function formatNumber(value) {
    return numberFormat.format(value);
  }

  // el("a", {href: "/", class: "x"}, ["text", otherNode]); attributes with null or false are left out.
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attributes) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined) return;
      node.setAttribute(name, String(value));
    });
    return node;
  }

  function entityLink(iri, label, extra) {
    var attributes = { href: entityHref(iri) };
    Object.keys(extra || {}).forEach(function (name) {
      attributes[name] = extra[name];
    });
    return el("a", attributes, [label || displayIri(iri)]);
  }

  // An unlabelled thing: our instance IRIs read best from their kind on (observation/V02Q…/PM10/2025…).
  var INSTANCE_BASE = "/cps/id/";
  function displayIri(iri) {
    var at = iri ? iri.indexOf(INSTANCE_BASE) : -1;
    return at >= 0 ? decodeURIComponent(iri.slice(at + INSTANCE_BASE.length)) : shortIri(iri);
  }

  function shortIri(iri) {
    if (!iri) return "";
    var trimmed = iri.replace(/[#/]+$/, "");
    var cut = Math.max(trimmed.lastIndexOf("#"), trimmed.lastIndexOf("/"));
    return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
  }

  // -- talking to the server ----------------------------------------------------------------------------

  function ApiError(status, message, code) {
    this.name = "ApiError";
    this.status = status;
    this.message = message;
    this.code = code || "";
  }
  ApiError.prototype = Object.create(Error.prototype);

  function token() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (error) {
      return "";
    }
  }

  function authHeaders(headers) {
    var result = headers || {};
    var current = token();
    if (current) result.Authorization = "Bearer " + current;
    return result;
  }

  function errorFrom(status, body) {
    var first = body && body.errors && body.errors[0];
    if (!first) return new ApiError(status, "HTTP " + status, "");
    var extensions = first.extensions || {};
    var message = config.lang === "ko" && extensions.message_ko ? extensions.message_ko : first.message;
    var code = extensions.code || (status === 401 ? "UNAUTHENTICATED" : "");
    return new ApiError(status, message, code);
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (error) {
      return null;
    }
  }

  // POST a GraphQL query; resolves to {data, errors}; rejects with an ApiError when nothing came back.
  async function graphql(query, variables) {
    var response = await fetch(config.graphqlPath, {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json", Accept: "application/json" }),
      body: JSON.stringify({ query: query, variables: variables || {} }),
      credentials: "same-origin",
    });
    var body = await readJson(response);
    if (!body || body.data === null || body.data === undefined) throw errorFrom(response.status, body);
    return body;
  }

  // A GraphQL multipart request (the GraphQL multipart request spec): ``file`` goes in as variables[fileVariable].
  async function graphqlUpload(query, variables, fileVariable, file) {
    var operations = { query: query, variables: Object.assign({}, variables) };
    operations.variables[fileVariable] = null;
    var form = new FormData();
    form.append("operations", JSON.stringify(operations));
    form.append("map", JSON.stringify({ 0: ["variables." + fileVariable] }));
    form.append("0", file, file.name);
    var response = await fetch(config.graphqlPath, {
      method: "POST",
      headers: authHeaders({ Accept: "application/json" }),
      body: form,
      credentials: "same-origin",
    });
    var body = await readJson(response);
    if (!body || body.data === null || body.data === undefined) throw errorFrom(response.status, body);
    return body;
  }

  // -- status lines -------------------------------------------------------------------------------------

  function setStatus(node, message) {
    if (!node) return;
    node.classList.remove("error");
    node.textContent = message || "";
  }

  function showError(node, error) {
    if (!node) return;
    node.classList.add("error");
    if (error && error.status === 401) node.textContent = t("login.required");
    else if (error && error.status === 403) node.textContent = t("status.forbidden") + ": " + error.message;
    else node.textContent = t("status.error") + ": " + (error && error.message ? error.message : String(error));
  }

  function showProblem(node, message) {
    if (!node) return;
    node.classList.add("error");
    node.textContent = message;
  }

  // -- downloads that need the token ---------------------------------------------------------------------

  // A plain link cannot carry the bearer token: with a token, fetch the file and save it from a blob URL.
  function wireAuthenticatedDownload(anchor) {
    anchor.addEventListener("click", async function (event) {
      if (!token()) return; // demo mode, or not signed in: let the browser follow the link
      event.preventDefault();
      try {
        var response = await fetch(anchor.getAttribute("href"), { headers: authHeaders({}) });
        if (!response.ok) throw errorFrom(response.status, await readJson(response));
        var disposition = response.headers.get("Content-Disposition") || "";
        var match = /filename="([^"]+)"/.exec(disposition);
        var url = URL.createObjectURL(await response.blob());
        var link = el("a", { href: url, download: match ? match[1] : "download" });
        document.body.appendChild(link);
        link.click();
        link.remove();
        window.setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 10000);
      } catch (error) {
        window.alert(t("status.error") + ": " + error.message);
      }
    });
  }

  // -- sign-in ------------------------------------------------------------------------------------------

  function setUpLogin() {
    var form = document.getElementById("login-form");
    if (!form) return; // demo mode: no sign-in
    var state = document.getElementById("login-state");
    var message = document.getElementById("login-message");
    var input = document.getElementById("login-token");

    if (token()) {
      form.hidden = true;
      state.hidden = false;
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var value = input.value.trim();
      if (!value) {
        input.focus();
        return;
      }
      window.sessionStorage.setItem(TOKEN_KEY, value);
      try {
        await graphql("query SignIn { __typename }");
        window.location.reload();
      } catch (error) {
        window.sessionStorage.removeItem(TOKEN_KEY);
        message.textContent = error.status === 401 ? t("login.invalid") : error.message;
        input.focus();
      }
    });
    document.getElementById("logout-button").addEventListener("click", function () {
      window.sessionStorage.removeItem(TOKEN_KEY);
      window.location.reload();
    });
  }

  setUpLogin();

  window.KG = {
    config: config,
    t: t,
    href: href,
    entityHref: entityHref,
    entityLink: entityLink,
    shortIri: shortIri,
    displayIri: displayIri,
    text: text,
    formatNumber: formatNumber,
    el: el,
    svg: svg,
    graphql: graphql,
    graphqlUpload: graphqlUpload,
    setStatus: setStatus,
    showError: showError,
    showProblem: showProblem,
    wireAuthenticatedDownload: wireAuthenticatedDownload,
    ApiError: ApiError,
  };
})();
