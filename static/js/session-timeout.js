// Inactivity timeout with a warning before it (cpcases.accounts.middleware).
// Typing in a form counts as activity and keeps the session alive, at most once a minute,
// so a social worker writing a long record is not signed out while working.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog) { return; }
  var total = parseInt(dialog.dataset.inactivitySeconds, 10) * 1000;
  var warning = parseInt(dialog.dataset.warningSeconds, 10) * 1000;
  var extendUrl = dialog.dataset.extendUrl;
  var countdown = dialog.querySelector("[data-countdown]");
  var lastServerContact = Date.now();
  var tick = null;
  // The server counts whole seconds from when it handled the last request, which can be a
  // little after this page's own count started: without a margin, a page reaching its end
  // first could find the session still open, and that very request would keep it alive.
  var GRACE = 5000;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The server answers a signed-out user with the sign-in page, keeping this page as where to
  // come back to. (Going straight to the sign-in page lost that: the server's sign-out
  // redirect replaced it with the sign-in page's own address.)
  function askServerForThisPage() {
    window.location.href = window.location.pathname + window.location.search;
  }

  function extend() {
    lastServerContact = Date.now();
    if (dialog.open) { dialog.close(); }
    return fetch(extendUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401 || response.redirected) { askServerForThisPage(); }
    });
  }

  function check() {
    var left = total - (Date.now() - lastServerContact);
    if (left <= -GRACE) {
      askServerForThisPage();
      return;
    }
    if (left <= warning) {
      var minutes = Math.max(1, Math.ceil(left / 60000));
      countdown.textContent = minutes + (minutes === 1 ? " minute" : " minutes");
      if (!dialog.open) { dialog.showModal(); dialog.querySelector("[data-stay-signed-in]").focus(); }
    }
  }

  dialog.querySelector("[data-stay-signed-in]").addEventListener("click", extend);
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); extend(); });
  document.addEventListener("input", function () {
    if (Date.now() - lastServerContact > 60000) { extend(); }
  });
  tick = window.setInterval(check, 15000);
  window.cpcasesSessionTimeout = { check: check, extend: extend, tick: tick };
}());
