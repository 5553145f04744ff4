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
