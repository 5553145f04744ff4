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

// A button marked data-print prints the page (here, not in an onclick attribute: CSP forbids those).
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest && event.target.closest("button[data-print]")) { window.print(); }
});

// Checklists (core.checklists): an item marked data-show-item / data-show-in is shown only while the
// item it depends on holds one of those answers; hidden, its inputs are disabled and not sent.
(function () {
  "use strict";
  function answer(form, code) {
    var checked = form.querySelector('input[name="item_' + code + '"]:checked:not(:disabled)');
    if (checked) { return checked.value; }
    var select = form.querySelector('select[name="item_' + code + '"]');
    return select ? select.value : "";
  }
  function refresh(form) {
    form.querySelectorAll("[data-show-item]").forEach(function (item) {
      var shown = item.dataset.showIn.split(",").indexOf(answer(form, item.dataset.showItem)) >= 0;
      item.hidden = !shown;
      item.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
    });
    // A photo input shows, and is required, while the answer is one that needs a photo.
    form.querySelectorAll("[data-photo-item]").forEach(function (photo) {
      var needed = photo.dataset.photoIn.split(",").indexOf(answer(form, photo.dataset.photoItem)) >= 0;
      photo.hidden = !needed;
      photo.querySelector("input").required = needed;
    });
  }
  function start() {
    document.querySelectorAll("form[data-checklist]").forEach(function (form) {
      refresh(form);
      // Twice: an item may depend on one that has just appeared or gone.
      form.addEventListener("change", function () { refresh(form); refresh(form); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// A signature drawn on the screen goes into the form as a PNG file (core evidence of kind signature).
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("canvas[data-signature-for]").forEach(function (canvas) {
      var input = document.getElementById(canvas.dataset.signatureFor);
      var context = canvas.getContext("2d");
      var drawing = false;
      context.lineWidth = 2;
      function point(event) {
        var box = canvas.getBoundingClientRect();
        return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
      }
      canvas.addEventListener("pointerdown", function (event) {
        drawing = true; var p = point(event); context.beginPath(); context.moveTo(p[0], p[1]);
        canvas.setPointerCapture(event.pointerId);
      });
      canvas.addEventListener("pointermove", function (event) {
        if (!drawing) { return; } var p = point(event); context.lineTo(p[0], p[1]); context.stroke();
      });
      canvas.addEventListener("pointerup", function () {
        drawing = false;
        canvas.toBlob(function (blob) {
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "signature.png", {type: "image/png"}));
          input.files = transfer.files;
          var kind = input.form && input.form.querySelector("select[name=kind]");
          if (kind) { kind.value = "signature"; }
        }, "image/png");
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// Live notices (core.live): a notice for this user appears on the open page within a second, and a
// work desk redraws itself when its work changes. The browser reconnects a dropped stream itself,
// sending the last notice it had (Last-Event-ID); if it gives up, we start a new stream from there.
(function () {
  "use strict";
  var KEEP = 5;
  function start() {
    var box = document.getElementById("live");
    if (!box || !window.EventSource) { return; }
    var last = box.dataset.after || "0";
    var shown = {};
    var desk = box.dataset.desk === "1";
    var source = null, again = null, redraw = null;
    function unread(count) {
      var badge = document.getElementById("inbox-unread");
      if (!badge) { return; }
      badge.querySelector("span").textContent = count;
      badge.hidden = !count;
    }
    // The page tells the server which notices its user had in view: a text message kept back for a
    // notice (a team's order) goes out only if no page showed it. A hidden tab or a locked phone
    // tells once it is looked at again.
    var unseen = [];
    function tellSeen() {
      if (!unseen.length || document.visibilityState !== "visible" || !box.dataset.seen) { return; }
      var ids = unseen.splice(0, 50);
      var headers = {"Content-Type": "application/x-www-form-urlencoded"};
      try { headers["X-CSRFToken"] = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { /* none */ }
      fetch(box.dataset.seen, {method: "POST", credentials: "same-origin", redirect: "error", headers: headers,
                               body: "ids=" + ids.join(",")}).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        tellSeen();  // the rest, fifty at a time
      }).catch(function () { unseen = ids.concat(unseen); });
    }
    document.addEventListener("visibilitychange", tellSeen);
    function show(notice) {
      unseen.push(notice.id);
      tellSeen();
      var item = document.createElement("p");
      item.className = "live__notice";
      item.dataset.notice = notice.id;
      var words = document.createElement(notice.link ? "a" : "span");
      if (notice.link) { words.href = notice.link; }
      words.textContent = notice.text;
      item.appendChild(words);
      var close = document.createElement("button");
      close.type = "button";
      close.className = "link-button live__close";
      close.textContent = "×";
      close.addEventListener("click", function () { item.remove(); });
      item.appendChild(close);
      box.prepend(item);
      while (box.querySelectorAll(".live__notice").length > KEEP) { box.lastElementChild.remove(); }
      unread(notice.unread);
    }
    // A form in the page that the user is filling in is not redrawn away: the redraw waits until it
    // is sent, or left alone for two minutes.
    var typedAt = 0, LEFT_ALONE_MS = 120000;
    document.addEventListener("input", function (event) {
      var form = event.target.form;
      if (form && form.closest("#main")) { form.dataset.dirty = "1"; typedAt = Date.now(); }
    });
    document.addEventListener("submit", function (event) { delete event.target.dataset.dirty; });
    function redrawDesk() {
      clearTimeout(redraw);
      if (document.querySelector("#main form[data-dirty]") && Date.now() - typedAt < LEFT_ALONE_MS) {
        redraw = setTimeout(redrawDesk, 5000);
        return;
      }
      redraw = setTimeout(function () {
        fetch(window.location.href, {credentials: "same-origin"}).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          var main = document.getElementById("main");
          if (fresh && main) { main.innerHTML = fresh.innerHTML; main.dataset.redrawn = String(Date.now()); }
        }).catch(function () { /* the next change tries again */ });
      }, 200);
    }
    function connect() {
      source = new EventSource(box.dataset.url + "?after=" + encodeURIComponent(last) + (desk ? "&desk=1" : ""));
      source.addEventListener("open", function () { box.dataset.state = "open"; });
      source.addEventListener("notice", function (event) {
        var notice = JSON.parse(event.data);
        // A notice committed late comes with a lower number than the last: shown once all the same.
        if (shown[notice.id]) { return; }
        shown[notice.id] = true;
        last = String(Math.max(Number(last), Number(notice.id)));
        show(notice);
      });
      source.addEventListener("desk", redrawDesk);
      source.addEventListener("error", function () {
        box.dataset.state = "lost";
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(again);
          again = setTimeout(connect, 3000);
        }
      });
    }
    connect();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// Checklists on a weak signal. A page with a form marked data-offline asks the service worker
// (core/sw.js) to keep it on the phone, so that it opens without network, and the worker keeps such
// a form sent without network in the outbox (outbox.js) until the network returns. Where there is
// no service worker (plain HTTP on an intranet address), the page does the keeping itself when the
// browser knows it is offline. Either way the form's one-time key (`submission`) makes a second
// arrival of the same form lead to the saved record, so nothing is saved twice.
(function () {
  "use strict";
  var outbox = window.safetynetOutbox;
  var worker = navigator.serviceWorker;
  var RETRY_MS = 15000;
  var retry = null;

  function status(state, url) {
    var box = document.getElementById("outbox-status");
    if (!box) { return; }
    box.textContent = box.dataset[state] || "";
    box.dataset.state = state;
    box.hidden = false;
    var record = document.getElementById("outbox-record");
    if (url) {
      document.body.dataset.outboxSent = url;
      if (record) { record.querySelector("a").href = url; record.hidden = false; }
    }
  }
  function loginPath() { return document.body.dataset.loginPath || "/login/"; }
  function controlled() { return Boolean(worker && worker.controller); }

  // Each opening of a form gets its own key: a kept copy of the page opened twice is two visits.
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }
  function prepare(form) {
    var key = form.querySelector("[name=submission]");
    if (key && !form.querySelector(".error")) { key.value = uuid(); }
    // A page kept on the phone was made when it was kept: the time of the visit is now.
    form.querySelectorAll("input[data-now]").forEach(function (input) { input.value = localNow(); });
  }

  function sendSoon() {
    clearTimeout(retry);
    if (controlled()) {
      worker.controller.postMessage({outbox: "send"});
    } else if (outbox) {
      outbox.flush(loginPath(), function (url) { status("sent", url); }, function () { status("refused"); }).then(waitingNow);
    }
  }
  function waitingNow() {
    if (!outbox) { return; }
    outbox.waiting().then(function (items) {
      if (items.length) { retry = setTimeout(sendSoon, RETRY_MS); }
    }).catch(function () { /* no IndexedDB here: nothing can be waiting */ });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-offline]");
    forms.forEach(prepare);
    var offlinePage = "offlinePage" in document.body.dataset;
    if (offlinePage && /[?&]kept=1/.test(window.location.search)) { status("kept"); }
    if (worker && window.isSecureContext && document.body.dataset.serviceWorker) {
      worker.register(document.body.dataset.serviceWorker).then(function (registration) {
        return worker.ready.then(function () {
          if (forms.length) {
            var assets = [];
            document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]").forEach(function (tag) {
              assets.push(tag.src || tag.href);
            });
            registration.active.postMessage({keep: window.location.href, assets: assets});
          }
          if (registration.sync) { registration.sync.register("safetynet-outbox").catch(function () {}); }
        });
      }).catch(function () { /* no worker: the page keeps forms itself (below) */ });
      worker.addEventListener("message", function (event) {
        var message = event.data || {};
        if (message.outbox === "sent") { status("sent", message.url); }
        if (message.outbox === "refused") { status("refused"); }
        if (message.outbox === "waiting") { clearTimeout(retry); retry = setTimeout(sendSoon, RETRY_MS); }
      });
    }
    sendSoon();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // With a service worker the form goes as usual: the worker keeps it if the network fails.
    if (!form.matches || !form.matches("form[data-offline]") || controlled() || !outbox || navigator.onLine) { return; }
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
    outbox.keep(form.action || window.location.href, fields).then(function () {
      status("kept");
      waitingNow();
    }).catch(function () { status("failed"); });
  });
  window.addEventListener("online", sendSoon);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
