// Starts GraphiQL on the page served at /graphql. Everything it loads comes from this server.
// GraphiQL을 시작합니다. 모든 자원은 이 서버에서 제공됩니다.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var demo = root.getAttribute("data-demo") === "true";
  var fetchURL = window.location.href.split("?")[0].split("#")[0];
  var parameters = new URLSearchParams(window.location.search);

  var defaultQuery =
    "# Seoul urban CPS knowledge graph / 서울시 도시 CPS 지식그래프\n" +
    "#\n" +
    (demo
      ? "# Demo mode: no token needed. / 데모 모드: 토큰이 필요 없습니다.\n"
      : "# Put your department's token in the Headers tab below:\n" +
        "# 아래 Headers 탭에 부서 토큰을 넣으십시오:\n" +
        '#   {"Authorization": "Bearer kg_..."}\n') +
    "#\n" +
    "# Ctrl-Enter runs the query. / Ctrl-Enter로 실행합니다.\n" +
    "{\n  __typename\n}\n";

  var fetcher = GraphiQL.createFetcher({ url: fetchURL });

  function App() {
    var explorer = GraphiQLPluginExplorer.explorerPlugin();
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: defaultQuery,
      defaultHeaders: demo ? undefined : '{\n  "Authorization": "Bearer "\n}',
      query: parameters.get("q") || undefined,
      defaultEditorToolsVisibility: !demo,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(root).render(React.createElement(App));
})();
