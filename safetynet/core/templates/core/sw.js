// safetynet's service worker (served at the root, so that it sees every page): keeps a field form
// working when the phone loses its network. Served by core.offline_views.service_worker.
//
// - A page with an offline form (form[data-offline]) asks to be kept: it is stored on the phone with
//   its scripts and styles, and opens from there when there is no network, also after a reload.
// - Such a form sent without network is kept in the outbox (outbox.js) and sent when the network
//   returns; the phone shows the offline page, which says so, meanwhile.
// - Every other request goes to the network as before: nothing else is stored, so no other
//   page's personal data stays on the phone. Logging out or in removes the kept pages.
"use strict";
importScripts("{{ outbox_js|escapejs }}");

var PAGES = "safetynet-pages-v1";
var ASSETS = "safetynet-assets-v1";
var KEPT_PAGES = 30;  // the oldest go first: a grid worker's round of households, not a registry
var PATIENCE_MS = 6000;  // on a weak signal, a kept copy after this long rather than a blank screen
var OFFLINE_URL = "{{ offline_url|escapejs }}";
var LOGIN_PATH = "{{ login_path|escapejs }}";
var LOGOUT_PATH = "{{ logout_path|escapejs }}";
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.add(OFFLINE_URL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("safetynet-") === 0 && name !== PAGES && name !== ASSETS;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function tell(message) {
  return self.clients.matchAll({includeUncontrolled: true}).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}

function flush() {
  return safetynetOutbox.flush(LOGIN_PATH, function (url) { tell({outbox: "sent", url: url}); }, function () {
    tell({outbox: "refused"});
  }).then(function () {
    return safetynetOutbox.waiting();
  }).then(function (items) {
    tell({outbox: items.length ? "waiting" : "empty", count: items.length});
  });
}

function pageKey(url) {
  var address = new URL(url);
  address.hash = "";
  return address.href;
}

// Every kept page but the offline page, which holds no one's data.
function forgetPages() {
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.filter(function (request) {
        return new URL(request.url).pathname !== OFFLINE_URL;
      }).map(function (request) { return cache.delete(request); }));
    });
  });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var pages = keys.filter(function (request) { return new URL(request.url).pathname !== OFFLINE_URL; });
    return Promise.all(pages.slice(0, Math.max(0, pages.length - KEPT_PAGES)).map(function (request) {
      return cache.delete(request);
    }));
  });
}

// The network, or after PATIENCE_MS the kept copy if there is one (the network's answer, if it
// comes later, still refreshes the copy).
function networkOrKept(request, kept) {
  return new Promise(function (done, failed) {
    var settled = false;
    var timer = setTimeout(function () {
      kept().then(function (copy) { if (copy && !settled) { settled = true; done(copy); } });
    }, PATIENCE_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (!settled) { settled = true; done(response); }
    }, function (error) {
      clearTimeout(timer);
      kept().then(function (copy) {
        if (settled) { return; }
        settled = true;
        if (copy) { done(copy); } else { failed(error); }
      });
    });
  });
}

function keptPage(url) {
  return caches.open(PAGES).then(function (cache) { return cache.match(pageKey(url)); });
}

function offlinePage() {
  return caches.open(PAGES).then(function (cache) { return cache.match(OFFLINE_URL); });
}

function openPage(request) {
  return networkOrKept(request, function () { return keptPage(request.url); }).then(function (response) {
    // A kept page seen again online is kept fresh (a new checklist version, a changed household).
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(pageKey(request.url)).then(function (was) {
          if (was) { return cache.put(pageKey(request.url), copy); }
        });
      });
    }
    if (response.ok && navigator.onLine !== false) { flush(); }
    return response;
  }, function () {
    return offlinePage().then(function (page) { return page || Response.error(); });
  });
}

function sendForm(request) {
  var copy = request.clone();
  return fetch(request).then(function (response) {
    flush();
    return response;
  }, function () {
    // No network, or it dropped while sending: keep the form as it was filled in.
    return copy.formData().then(function (data) {
      var fields = [];
      data.forEach(function (value, name) { fields.push([name, value]); });
      return safetynetOutbox.keep(copy.url, fields);
    }).then(function () {
      return Response.redirect(OFFLINE_URL + "?kept=1", 303);
    });
  });
}

function asset(request) {
  return networkOrKept(request, function () { return caches.match(request, {cacheName: ASSETS}); }).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(ASSETS).then(function (cache) {
        return cache.match(request).then(function (was) { if (was) { return cache.put(request, copy); } });
      });
    }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && (url.pathname === LOGOUT_PATH || url.pathname === LOGIN_PATH)) {
    // Kept pages are one user's: gone at logout, and at a login (a session that simply expired
    // on a shared phone leaves them to the next user otherwise).
    event.waitUntil(forgetPages());
    return;
  }
  if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(openPage(request));
  } else if (request.mode === "navigate" && request.method === "POST") {
    // Only forms of kept pages (which send to their own address) are held when there is no network;
    // any other form fails as a form does without network.
    event.respondWith(keptPage(request.url).then(function (kept) {
      return kept ? sendForm(request) : fetch(request);
    }));
  } else if (request.method === "GET" && url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(asset(request));
  }
});

// A page asks: keep me (with my scripts and styles), send the outbox now, or how many wait.
self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.keep) {
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      // Opened online, a kept page was refreshed on the way (openPage): fetched here only the first time.
      return cache.match(pageKey(message.keep)).then(function (was) {
        return was || fetch(message.keep, {credentials: "same-origin"}).then(function (response) {
          if (response.ok && !response.redirected) {
            return cache.put(pageKey(message.keep), response).then(function () { return trim(cache); });
          }
        });
      }).then(function () {
        return caches.open(ASSETS).then(function (assets) {
          return Promise.all((message.assets || []).map(function (address) {
            return assets.match(address).then(function (was) { return was || assets.add(address); });
          }));
        });
      });
    }).catch(function () { /* no network now: the page is kept the next time it is opened */ }));
  }
  if (message.outbox === "send") { event.waitUntil(flush()); }
});

// Chromium's background sync: sends the outbox when the network returns, even with no page open.
self.addEventListener("sync", function (event) {
  if (event.tag === "safetynet-outbox") { event.waitUntil(flush()); }
});
