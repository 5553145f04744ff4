// htmx does not swap error responses: say in the page what went wrong instead of doing nothing.
(function () {
  "use strict";
  function show(kind) {
    var box = document.getElementById("request-error");
    if (!box) { return; }
    box.textContent = box.dataset[kind] || box.dataset.failed;
    box.hidden = false;
    box.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) { box.hidden = true; }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    show(status === 403 ? "forbidden" : status === 404 ? "notFound" : "failed");
  });
  document.addEventListener("htmx:sendError", function () { show("offline"); });
})();

// A link marked data-current-query carries the page's current query (filters typed since the page
// loaded, which htmx pushed into the address bar). Here, not in an onclick attribute: CSP forbids those.
document.addEventListener("click", function (event) {
  "use strict";
  var link = event.target.closest && event.target.closest("a[data-current-query]");
  if (link) { link.search = window.location.search; }
});
