// Progressive enhancement of the resident site: the running total of a knapsack ballot, the points left
// of a points ballot, the service worker for offline reading and for Web Push, and the button that
// subscribes this browser to push. Every form works without this file.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (form && form.querySelector(".total")) {
    var method = form.dataset.method;
    var box = form.querySelector(".total");
    var over = box.querySelector(".over");
    var totalOut = box.querySelector("[data-total]");
    var leftOut = box.querySelector("[data-left]");
    var vote = form.querySelector("button.vote");
    var number = function (value) { return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, " "); };
    var update = function () {
      var tooMuch = false;
      if (method === "points") {
        var total = Number(form.dataset.pointsTotal || 0), given = 0;
        form.querySelectorAll("input[type=number][data-project]").forEach(function (input) {
          given += Math.max(0, parseInt(input.value, 10) || 0);
        });
        leftOut.textContent = number(total - given);
        tooMuch = given > total;
      } else {
        var sum = 0, count = 0;
        form.querySelectorAll("input[type=checkbox][name=project]:checked").forEach(function (input) {
          sum += Number(input.dataset.cost || 0); count += 1;
        });
        if (method === "knapsack") {
          var limit = Number(form.dataset.maxCost || 0);
          totalOut.textContent = number(sum);
          leftOut.textContent = number(limit - sum);
          tooMuch = sum > limit;
        } else {
          totalOut.textContent = count;
        }
      }
      over.hidden = !tooMuch;
      vote.setAttribute("aria-disabled", tooMuch ? "true" : "false");
    };
    box.hidden = false;
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  // Push: shown only where the server has a VAPID key and the browser can subscribe.
  var push = document.querySelector("[data-push]");
  if (push && "serviceWorker" in navigator && "PushManager" in window && window.isSecureContext) {
    var key = push.dataset.vapidKey;
    var status = push.querySelector("[data-push-status]");
    var token = document.querySelector("input[name=_csrf_token]");
    var bytes = function (base64url) {
      var raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
      return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
    };
    push.hidden = false;
    push.querySelector("[data-push-subscribe]").addEventListener("click", function () {
      Notification.requestPermission().then(function (answer) {
        if (answer !== "granted") throw new Error(answer);
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes(key)});
      }).then(function (subscription) {
        return fetch("/me/push-subscriptions", {
          method: "POST", credentials: "same-origin", body: JSON.stringify(subscription.toJSON()),
          headers: {"Content-Type": "application/json", "X-CSRFToken": token ? token.value : ""}
        });
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        status.textContent = status.dataset.on;
      }).catch(function () { status.textContent = status.dataset.off; });
    });
  }
})();
