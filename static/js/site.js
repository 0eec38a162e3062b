/* Bridges: small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  /* The menu on narrow screens: collapsed by CSS from the first paint, so nothing here changes the layout on
     load. The toggle is a link to #site-nav (it opens the menu through :target without JavaScript); here it
     acts as a disclosure button: Enter or Space toggles it, Escape closes it, aria-expanded follows. */
  function initNavToggle() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) return;
    var query = window.matchMedia("(max-width: 79.99rem)");

    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        button.click();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && query.matches) {
        setOpen(false);
        button.focus();
      }
    });
    query.addEventListener("change", function () { setOpen(false); });
  }

  /* The "More" menu of the header: closes on Escape and when focus or a click goes elsewhere. */
  function initMoreMenu() {
    var menu = document.querySelector(".nav-more__menu");
    if (!menu) return;
    function close(focusSummary) {
      if (!menu.open) return;
      menu.open = false;
      if (focusSummary) menu.querySelector("summary").focus();
    }
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) close(false);
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close(true);
    });
    menu.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) close(false);
    });
  }

  /* Move focus to a form's error summary so that screen-reader and keyboard users land on it. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    }
  }

  /* A filter box above long reference tables (countries, languages). */
  function initTableFilters() {
    var tables = document.querySelectorAll("table[data-filterable]");
    Array.prototype.forEach.call(tables, function (table, index) {
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var wrapper = document.createElement("div");
      wrapper.className = "table-filter";
      var id = "table-filter-" + index;
      var label = document.createElement("label");
      label.className = "field__label";
      label.setAttribute("for", id);
      label.textContent = table.getAttribute("data-filter-label") || "Filter this list";
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.autocomplete = "off";
      var status = document.createElement("p");
      status.className = "table-filter__status";
      status.setAttribute("role", "status");
      wrapper.appendChild(label);
      wrapper.appendChild(input);
      wrapper.appendChild(status);
      var container = table.closest(".table-wrap") || table;
      container.parentNode.insertBefore(wrapper, container);

      input.addEventListener("input", function () {
        var term = input.value.trim().toLowerCase();
        var shown = 0;
        rows.forEach(function (row) {
          var match = !term || row.textContent.toLowerCase().indexOf(term) !== -1;
          row.hidden = !match;
          if (match) shown += 1;
        });
        var template = table.getAttribute("data-filter-status") || "{shown} of {total} shown";
        status.textContent = term ? template.replace("{shown}", shown).replace("{total}", rows.length) : "";
      });
    });
  }

  /* Ask before destructive submits marked with data-confirm. */
  function initConfirm() {
    document.addEventListener("submit", function (event) {
      var message = event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) event.preventDefault();
    });
  }

  function init() {
    initNavToggle();
    initMoreMenu();
    focusErrorSummary();
    initTableFilters();
    initConfirm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
