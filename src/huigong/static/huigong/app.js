/* Huigong: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // "重新获取(60 秒)": count down until the server will accept another code request.
  function startCountdown(button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10);
    var label = button.getAttribute("data-countdown-label") || "%s";
    var ready = button.getAttribute("data-ready-label") || button.textContent;
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = ready;
      } else {
        button.textContent = label.replace("%s", left);
      }
    }, 1000);
  }

  // Copy a freshly created API key.
  function copyFrom(button) {
    var input = document.querySelector(button.getAttribute("data-copy-target"));
    if (!input) return;
    input.select();
    var done = function () {
      button.textContent = button.getAttribute("data-copied-label") || button.textContent;
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(done);
    } else if (document.execCommand("copy")) {
      done();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(startCountdown);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) copyFrom(button);
  });
  // Forms that destroy something ask first.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
