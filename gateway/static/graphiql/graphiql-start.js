// The gateway's own bootstrap (not vendored): GraphiQL against this origin's /graphql.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + window.location.pathname,
    // Same origin: the browser sends the session cookie that logIn set, and keeps the one it answers with.
    fetch: function (url, init) {
      return window.fetch(url, Object.assign({}, init, { credentials: "same-origin" }));
    },
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
