// Submissions, from GraphQL: the upload form (validateDataset: dry run, nothing stored; submitDataset: commit
// or reject), the list of recent submissions (submissions), and one submission's report (submission(id:)).
// A report's problems are shown grouped by rule (SHACL shape, else constraint, else message), violations
// first, each problem pointing at its source row and column.
(function () {
  "use strict";
  var KG = window.KG;
  var t = KG.t;
  var el = KG.el;
  var lang = KG.config.lang;
  var MAX_PROBLEMS = 1000;

  var REPORT_FRAGMENT =
    "fragment Report on SubmissionReportType { accepted violations warnings infos total summary summaryKo " +
    "problems(first: " + MAX_PROBLEMS + ") { severity message messageKo file row column value shape constraint stage } }";
  var DATASETS_QUERY = "query SubmissionDatasets { datasets { code title { ko en } publisher { code } } }";
  var LIST_QUERY =
    "query Submissions { submissions(first: 100) { id status dataset department fileName createdAt summary } }";
  var ONE_QUERY =
    "query OneSubmission($id: String!) { submission(id: $id) { id status dataset department fileName sizeBytes " +
    "createdAt triples duplicateOf summary report { ...Report } } } " + REPORT_FRAGMENT;
  var VALIDATE_MUTATION =
    "mutation ValidateFile($dataset: String!, $file: Upload!) { validateDataset(dataset: $dataset, file: $file) { " +
    "valid triples report { ...Report } } } " + REPORT_FRAGMENT;
  var SUBMIT_MUTATION =
    "mutation SubmitFile($dataset: String!, $file: Upload!) { submitDataset(dataset: $dataset, file: $file) { " +
    "__typename ... on SubmissionCommitted { triples submission { id } report { ...Report } } " +
    "... on SubmissionRejected { submission { id triples } report { ...Report } } " +
    "... on SubmissionDuplicate { submission { id } duplicateOf } } } " + REPORT_FRAGMENT;
  var SEVERITY_ORDER = { Violation: 0, Warning: 1, Info: 2 };

  function message(problem) {
    return lang === "en" ? problem.message || problem.messageKo : problem.messageKo || problem.message;
  }

  // Entries of one group differ by their value: the group's heading leaves it out.
  function generalise(text, value) {
    if (value && value.length < 40 && text.indexOf(value) >= 0) return text.split(value).join("…");
    return text;
  }

  function localName(iri) {
    return iri ? KG.shortIri(iri) : "";
  }

  function groupByRule(problems) {
    var groups = [];
    var byKey = {};
    problems.forEach(function (problem) {
      var rule = problem.shape || problem.constraint || problem.message;
      var key = problem.severity + "\u0000" + rule;
      if (!byKey[key]) {
        byKey[key] = { severity: problem.severity, rule: rule, constraint: problem.constraint, problems: [] };
        groups.push(byKey[key]);
      }
      byKey[key].problems.push(problem);
    });
    groups.forEach(function (group) {
      group.problems.sort(function (a, b) {
        var rowA = a.row === null ? -1 : a.row;
        var rowB = b.row === null ? -1 : b.row;
        return rowA - rowB || String(a.column || "").localeCompare(String(b.column || ""));
      });
    });
    groups.sort(function (a, b) {
      return (
        (SEVERITY_ORDER[a.severity] === undefined ? 9 : SEVERITY_ORDER[a.severity]) -
          (SEVERITY_ORDER[b.severity] === undefined ? 9 : SEVERITY_ORDER[b.severity]) ||
        b.problems.length - a.problems.length
      );
    });
    return groups;
  }

  function outcomeTag(outcome) {
    var good = outcome === "committed" || outcome === "valid" || outcome === "duplicate";
    return el("span", { class: "outcome " + (good ? "ok" : "bad"), "data-outcome": outcome }, [
      t("submissions.outcome." + outcome),
    ]);
  }

  // The list shows the start of a summary; the report page has all of it.
  function brief(text) {
    return text.length > 160 ? text.slice(0, 157) + "…" : text;
  }

  function statusText(status) {
    var key = "submissions.status." + status;
    return Object.prototype.hasOwnProperty.call(KG.config.messages, key) ? t(key) : status;
  }

  // The report: summary, then one section per rule with a table of row, column, value and message.
  function reportNode(report) {
    var box = el("div", { class: "report" });
    box.appendChild(el("p", { class: "summary" }, [lang === "en" ? report.summary : report.summaryKo]));
    if (report.problems.length < report.total) {
      box.appendChild(el("p", { class: "meta" }, [t("submissions.listed", { listed: report.problems.length, total: report.total })]));
    }
    if (!report.problems.length) {
      box.appendChild(el("p", {}, [t("submissions.no_problems")]));
      return box;
    }
    box.appendChild(el("h3", {}, [t("submissions.violations")]));
    groupByRule(report.problems).forEach(function (group, index) {
      var headingId = "rule-" + index;
      var first = group.problems[0];
      var heading = generalise(message(first), first.value);
      var rows = group.problems.map(function (problem) {
        return el("tr", {}, [
          el("td", { class: "row-number" }, [problem.row === null ? t("submissions.whole_file") : String(problem.row)]),
          el("td", { class: "column-name" }, [problem.column || "—"]),
          el("td", {}, [problem.value === null ? "" : el("code", {}, [problem.value])]),
          el("td", {}, [message(problem)]),
        ]);
      });
      var ruleName = localName(group.rule === first.message ? "" : group.rule);
      var constraintName = localName(group.constraint);
      box.appendChild(
        el("section", { class: "rule-group severity-" + group.severity, "aria-labelledby": headingId, "data-rule": group.rule }, [
          el("h4", { id: headingId }, [
            el("span", { class: "severity-tag" }, [t("submissions.severity." + group.severity)]),
            heading,
            " ",
            el("span", { class: "meta" }, ["(" + t("submissions.count", { n: group.problems.length }) + ")"]),
          ]),
          ruleName || constraintName
            ? el("p", { class: "rule-name" }, [
                t("submissions.rule") + ": ",
                el("code", { title: group.rule }, [ruleName || constraintName]),
                constraintName && constraintName !== ruleName && ruleName ? " · " + constraintName : "",
              ])
            : null,
          el("div", { class: "table-scroll" }, [
            el("table", { class: "violations" }, [
              el("caption", { class: "visually-hidden" }, [heading]),
              el("thead", {}, [
                el("tr", {}, [
                  el("th", { scope: "col" }, [t("submissions.col.row")]),
                  el("th", { scope: "col" }, [t("submissions.col.column")]),
                  el("th", { scope: "col" }, [t("submissions.col.value")]),
                  el("th", { scope: "col" }, [t("submissions.col.message")]),
                ]),
              ]),
              el("tbody", {}, rows),
            ]),
          ]),
        ])
      );
    });
    return box;
  }

  // -- the list page ----------------------------------------------------------------------------------------

  async function loadDatasets(select) {
    var result = await KG.graphql(DATASETS_QUERY);
    result.data.datasets.forEach(function (dataset) {
      if (!dataset.code) return;
      var title = KG.text(dataset.title);
      var owner = dataset.publisher ? " (" + dataset.publisher.code + ")" : "";
      select.appendChild(el("option", { value: dataset.code }, [dataset.code + (title ? " — " + title : "") + owner]));
    });
  }

  async function loadList() {
    var table = document.getElementById("submissions-table");
    var status = document.getElementById("submissions-status");
    if (!table) return;
    try {
      var records = (await KG.graphql(LIST_QUERY)).data.submissions;
      var tbody = table.querySelector("tbody");
      tbody.textContent = "";
      records.forEach(function (record) {
        tbody.appendChild(
          el("tr", { "data-id": record.id }, [
            el("th", { scope: "row" }, [el("a", { href: KG.href("/submissions/" + encodeURIComponent(record.id)) }, [record.id])]),
            el("td", { class: "nowrap" }, [statusText(record.status)]),
            el("td", { class: "nowrap" }, [record.dataset]),
            el("td", { class: "nowrap" }, [record.department]),
            el("td", {}, [record.fileName]),
            el("td", { class: "nowrap" }, [record.createdAt.replace("T", " ").slice(0, 19)]),
            el("td", { title: record.summary }, [brief(record.summary)]),
          ])
        );
      });
      table.hidden = records.length === 0;
      KG.setStatus(status, records.length ? "" : t("submissions.none"));
      table.setAttribute("data-ready", "true");
    } catch (error) {
      KG.showError(status, error);
    }
  }

  function showOutcome(resultBody, outcome, triples, submissionId, report) {
    resultBody.textContent = "";
    resultBody.appendChild(
      el("p", {}, [
        outcomeTag(outcome),
        " ",
        triples === null || triples === undefined ? "" : t("submissions.triples", { n: KG.formatNumber(triples) }),
        submissionId ? " · " : "",
        submissionId
          ? el("a", { href: KG.href("/submissions/" + encodeURIComponent(submissionId)) }, [t("submissions.open_report")])
          : null,
      ])
    );
    if (report) resultBody.appendChild(reportNode(report));
  }

  function setUpForm(form) {
    var status = document.getElementById("upload-status");
    var result = document.getElementById("upload-result");
    var resultBody = document.getElementById("upload-result-body");
    var select = document.getElementById("upload-dataset");
    var fileInput = document.getElementById("upload-file");
    var buttons = form.querySelectorAll("button[type=submit]");
    loadDatasets(select).catch(function (error) { KG.showError(status, error); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var mode = event.submitter && event.submitter.value === "submit" ? "submit" : "validate";
      if (!select.value) {
        KG.showProblem(status, t("submissions.missing_dataset"));
        select.focus();
        return;
      }
      if (!fileInput.files.length) {
        KG.showProblem(status, t("submissions.missing_file"));
        fileInput.focus();
        return;
      }
      buttons.forEach(function (button) { button.disabled = true; });
      KG.setStatus(status, t("submissions.working"));
      try {
        var variables = { dataset: select.value };
        var file = fileInput.files[0];
        if (mode === "validate") {
          var checked = (await KG.graphqlUpload(VALIDATE_MUTATION, variables, "file", file)).data.validateDataset;
          showOutcome(resultBody, checked.valid ? "valid" : "invalid", checked.triples, null, checked.report);
        } else {
          var done = (await KG.graphqlUpload(SUBMIT_MUTATION, variables, "file", file)).data.submitDataset;
          if (done.__typename === "SubmissionCommitted") {
            showOutcome(resultBody, "committed", done.triples, done.submission.id, done.report);
          } else if (done.__typename === "SubmissionRejected") {
            showOutcome(resultBody, "rejected", done.submission.triples, done.submission.id, done.report);
          } else {
            showOutcome(resultBody, "duplicate", null, done.duplicateOf, null);
          }
          loadList();
        }
        result.hidden = false;
        result.setAttribute("data-ready", "true");
        KG.setStatus(status, "");
        document.getElementById("upload-result-title").focus();
      } catch (error) {
        if (error.status === 401) KG.showError(status, error);
        else KG.showProblem(status, error.message);
      } finally {
        buttons.forEach(function (button) { button.disabled = false; });
      }
    });
  }

  // -- one submission --------------------------------------------------------------------------------------

  async function loadOne(id) {
    var box = document.getElementById("submission-body");
    var status = document.getElementById("submission-status");
    try {
      var record = (await KG.graphql(ONE_QUERY, { id: id })).data.submission;
      if (!record) {
        KG.showProblem(status, t("submissions.not_found"));
        return;
      }
      var facts = el("dl", { class: "facts" });
      [
        ["submissions.col.status", statusText(record.status)],
        ["submissions.col.dataset", record.dataset],
        ["submissions.col.department", record.department],
        ["submissions.col.file", record.fileName],
        ["submissions.col.created", record.createdAt],
      ].forEach(function (pair) {
        facts.appendChild(el("dt", {}, [t(pair[0])]));
        facts.appendChild(el("dd", {}, [pair[1]]));
      });
      box.appendChild(facts);
      if (record.report) box.appendChild(reportNode(record.report));
      else box.appendChild(el("p", {}, [record.summary]));
      KG.setStatus(status, "");
      box.setAttribute("data-ready", "true");
    } catch (error) {
      KG.showError(status, error);
    }
  }

  var form = document.getElementById("upload-form");
  if (form) setUpForm(form);
  if (document.getElementById("submissions-table")) loadList();
  if (KG.config.page === "submission" && KG.config.submissionId) loadOne(KG.config.submissionId);
})();
