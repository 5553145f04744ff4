// The outbox: forms sent while the phone had no network, kept on the phone (IndexedDB, answers and
// photos as they were) until they can be sent. One script for both sides: the service worker keeps
// and sends them where there is one (HTTPS, or localhost); a page does it itself where there is none.
//
// A form is sent again under its one-time key (its `submission` field): if the first sending did
// arrive and only the answer was lost, the server leads to the record it saved and saves nothing
// twice. So an item leaves the outbox only when the server has led to a record.
(function (scope) {
  "use strict";
  var DATABASE = "safetynet-outbox";
  var STORE = "forms";

  function database() {
    return new Promise(function (done, failed) {
      var request = scope.indexedDB.open(DATABASE, 1);
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
        transaction.oncomplete = function () { db.close(); done(request && request.result); };
        transaction.onerror = function () { db.close(); failed(transaction.error); };
      });
    });
  }

  // fields: [[name, value], ...] as FormData gives them (a value is a string or a File).
  function keep(url, fields) {
    var key = "";
    fields.forEach(function (pair) { if (pair[0] === "submission") { key = String(pair[1]); } });
    var item = {key: key || String(Date.now()) + "-" + Math.random(), url: url, fields: fields, kept: Date.now()};
    return withStore("readwrite", function (store) { return store.put(item); }).then(function () { return item; });
  }

  function waiting() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return !item.refused; });
    });
  }

  // Sends one item. Resolves with the address of the saved record, or null when the server refused
  // the form (the item stays, marked, for a person to look at); rejects while there is no network.
  function send(item, loginPath) {
    var data = new FormData();
    item.fields.forEach(function (pair) {
      if (pair[1] instanceof Blob) {
        // An empty file input arrives as an empty File: the server would take it for a photo.
        if (pair[1].size) { data.append(pair[0], pair[1], pair[1].name || "photo.jpg"); }
      } else { data.append(pair[0], pair[1]); }
    });
    return fetch(item.url, {method: "POST", body: data, credentials: "same-origin"}).then(function (response) {
      var landed = new URL(response.url);
      // Saved (now or before): the server leads to the record. A way to the login page is not that:
      // the session has ended, and the form waits for the next login.
      if (response.redirected && landed.pathname !== loginPath) {
        return withStore("readwrite", function (store) { return store.delete(item.key); }).then(function () {
          return response.url;
        });
      }
      if (response.redirected) { return Promise.reject(new Error("logged out")); }
      item.refused = response.status;
      return withStore("readwrite", function (store) { return store.put(item); }).then(function () { return null; });
    });
  }

  var flushing = null;
  // Sends every waiting item in the order kept; onSent(url) for each one saved, onRefused(item) for
  // each the server refused. One flush at a time.
  function flush(loginPath, onSent, onRefused) {
    if (flushing) { return flushing; }
    flushing = waiting().then(function (items) {
      return items.sort(function (a, b) { return a.kept - b.kept; }).reduce(function (chain, item) {
        return chain.then(function () {
          return send(item, loginPath).then(function (url) {
            if (url && onSent) { onSent(url); }
            if (!url && onRefused) { onRefused(item); }
          });
        });
      }, Promise.resolve());
    }).then(function () { return true; }, function () { return false; }).then(function (done) {
      flushing = null;
      return done;
    });
    return flushing;
  }

  scope.safetynetOutbox = {keep: keep, waiting: waiting, flush: flush};
})(self);
