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

  // Organization pickers: the select holds only the chosen organization; matches are
  // loaded from the scoped search endpoint as the user types. Without Tom Select the
  // plain select still submits the chosen value.
  function orgPicker(select) {
    if (select.tomselect || typeof window.TomSelect === "undefined") return;
    var base = {perm: select.getAttribute("data-perm") || ""};
    ["kind", "active", "under"].forEach(function (name) {
      var value = select.getAttribute("data-" + name);
      if (value) base[name] = value;
    });
    var noResults = select.getAttribute("data-no-results") || "";
    var plugins = select.multiple ? ["remove_button"] : [];
    if (!select.multiple && !select.required) plugins.push("clear_button");
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      plugins: plugins,
      placeholder: select.getAttribute("data-placeholder") || "",
      allowEmptyOption: false,
      maxOptions: null,
      preload: "focus",
      loadThrottle: 300,
      shouldLoad: function () { return true; },
      score: function () { return function () { return 1; }; },
      load: function (query, callback) {
        // The server does the matching (Traditional characters, short names): drop the
        // previous query's options, or they would stay listed under the new one.
        var picker = this;
        var params = new URLSearchParams(base);
        params.set("q", query);
        fetch(select.getAttribute("data-url") + "?" + params.toString(), {
          credentials: "same-origin",
          headers: {Accept: "application/json"},
        })
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            picker.clearOptions();
            if (picker.loadedSearches) picker.loadedSearches = {};
            callback(data.results);
          })
          .catch(function () { callback(); });
      },
      render: {
        option: function (item, escape) {
          var path = item.path_label && item.path_label !== item.text
            ? '<div class="small text-secondary">' + escape(item.path_label) + "</div>"
            : "";
          return "<div>" + escape(item.text) + path + "</div>";
        },
        item: function (item, escape) { return "<div>" + escape(item.text) + "</div>"; },
        no_results: function (data, escape) {
          return '<div class="no-results">' + escape(noResults) + "</div>";
        },
      },
    });
  }

  function initPickers(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("select[data-org-autocomplete]")) orgPicker(root);
    root.querySelectorAll("select[data-org-autocomplete]").forEach(orgPicker);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown]").forEach(startCountdown);
    initPickers(document);
  });
  // htmx-swapped content (forms loaded into modals, tabs, filter bars).
  document.addEventListener("htmx:load", function (event) { initPickers(event.detail.elt); });
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
