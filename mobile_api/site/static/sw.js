// Dauys service worker: the last pages a resident read stay readable offline. Only GET pages and the
// site's own files are kept; a POST, a sign-in page, a ballot and its answer (served "no-store") never are.
// It also shows the Web Push notifications the server sends ({title, body, url}) and opens their page.
"use strict";
var CACHE = "dauys-pages-v1";
var KEEP = 30;
var SHELL = ["/", "/site/static/site.css", "/site/static/site.js", "/site/static/icon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(request, response) {
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/signin") || url.pathname.endsWith("/ballot")) return false;
  if (!response || response.status !== 200 || response.type !== "basic") return false;
  return !/no-store|private/.test(response.headers.get("Cache-Control") || "");
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - KEEP)).map(function (key) { return cache.delete(key); }));
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  // Network first, so a resident always sees the current state when there is a network; the copy is for offline.
  event.respondWith(fetch(request).then(function (response) {
    if (cacheable(request, response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy).then(function () { return trim(cache); }); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || caches.match("/"); });
  }));
});

self.addEventListener("push", function (event) {
  var message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  event.waitUntil(self.registration.showNotification(message.title || "Dauys", {
    body: message.body || "", icon: "/site/static/icon-192.png", data: {url: message.url || "/me/notifications"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL(event.notification.data && event.notification.data.url || "/me/notifications", self.location.origin);
  // Only a page of this site opens: the server's link is to the public address, which is this site.
  var path = target.origin === self.location.origin ? target.pathname + target.search : "/me/notifications";
  event.waitUntil(self.clients.openWindow(path));
});
