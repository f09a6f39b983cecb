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
  var signInUrl = dialog.dataset.signInUrl;
  var countdown = dialog.querySelector("[data-countdown]");
  var lastServerContact = Date.now();
  var tick = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function extend() {
    lastServerContact = Date.now();
    if (dialog.open) { dialog.close(); }
    return fetch(extendUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401 || response.redirected) { window.location.href = signInUrl; }
    });
  }

  function check() {
    var left = total - (Date.now() - lastServerContact);
    if (left <= 0) {
      window.location.href = signInUrl + "?next=" + encodeURIComponent(window.location.pathname);
      return;
    }
    if (left <= warning) {
      var minutes = Math.ceil(left / 60000);
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
