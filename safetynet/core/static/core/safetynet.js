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
    var desk = box.dataset.desk === "1";
    var source = null, again = null, redraw = null;
    function unread(count) {
      var badge = document.getElementById("inbox-unread");
      if (!badge) { return; }
      badge.querySelector("span").textContent = count;
      badge.hidden = !count;
    }
    function show(notice) {
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
    function redrawDesk() {
      clearTimeout(redraw);
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
        if (Number(notice.id) <= Number(last)) { return; }
        last = String(notice.id);
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

// Checklists on a weak signal: a form marked data-offline that is sent while the phone has no
// network is kept on the phone (IndexedDB: answers and photos) and sent when the network returns,
// from whatever page of the site is open then. The form's one-time key (`submission`) makes a
// second arrival of the same form lead to the saved record, so nothing is saved twice.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch) { return; }
  var STORE = "forms";
  var sending = false;
  function database() {
    return new Promise(function (done, failed) {
      var request = indexedDB.open("safetynet-outbox", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "key"}); };
      request.onsuccess = function () { done(request.result); };
      request.onerror = function () { failed(request.error); };
    });
  }
  function withStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (done, failed) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { done(request && request.result); };
        transaction.onerror = function () { failed(transaction.error); };
      });
    });
  }
  function status(text, state) {
    var box = document.getElementById("outbox-status");
    if (!box) { return; }
    box.textContent = text;
    box.dataset.state = state;
    box.hidden = false;
  }
  function words(name) {
    var box = document.getElementById("outbox-status");
    return box ? box.dataset[name] : "";
  }
  function send(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) {
      if (pair[1] instanceof Blob) {
        if (pair[1].size) { data.append(pair[0], pair[1], pair[1].name || "photo.jpg"); }
      } else { data.append(pair[0], pair[1]); }
    });
    return fetch(item.url, {method: "POST", body: data, credentials: "same-origin"}).then(function (response) {
      // Saved: the server leads to the record (a redirect), also when it had the form already.
      if (response.redirected) {
        return withStore("readwrite", function (store) { return store.delete(item.key); }).then(function () {
          return response.url;
        });
      }
      item.refused = response.status;
      return withStore("readwrite", function (store) { return store.put(item); }).then(function () { return null; });
    });
  }
  function flush() {
    if (sending || !navigator.onLine) { return; }
    sending = true;
    withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      var waiting = (items || []).filter(function (item) { return !item.refused; });
      return waiting.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (url) {
            if (url) { status(words("sent"), "sent"); document.body.dataset.outboxSent = url; }
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* still no network: the next "online" tries again */ }).then(function () {
      sending = false;
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline]") || navigator.onLine) { return; }
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
    var key = (form.querySelector("[name=submission]") || {}).value || String(Date.now());
    var item = {key: key, url: form.action || window.location.href, fields: fields, kept: Date.now()};
    withStore("readwrite", function (store) { return store.put(item); }).then(function () {
      status(words("kept"), "kept");
    }).catch(function () { status(words("failed"), "failed"); });
  });
  window.addEventListener("online", flush);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", flush); } else { flush(); }
})();
