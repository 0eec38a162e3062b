// Calls: show deadlines in the reader's own time zone and count down to them.
(function () {
  "use strict";
  var readerZone = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone || "";
  var format = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });

  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment)) return;
    var local = document.createElement("span");
    local.className = "local-time";
    local.textContent = " (" + "your time" + (readerZone ? ", " + readerZone : "") + ": " + format.format(moment) + ")";
    el.insertAdjacentElement("afterend", local);
  });

  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }

  function humanize(ms) {
    if (ms <= 0) return "closed";
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var units = [[days, "day"], [hours, "hour"], [mins, "minute"]];
    var first = units.findIndex(function (u) { return u[0] > 0; });
    if (first < 0) return "less than a minute";
    return units.slice(first, first + 2).filter(function (u) { return u[0] > 0; })
      .map(function (u) { return plural(u[0], u[1]); }).join(", ");
  }

  var countdowns = document.querySelectorAll("[data-countdown]");
  function tick() {
    countdowns.forEach(function (el) {
      var deadline = new Date(el.getAttribute("data-countdown"));
      var text = el.querySelector("[data-countdown-text]");
      if (!isNaN(deadline) && text) text.textContent = humanize(deadline - Date.now());
    });
  }
  if (countdowns.length) {
    tick();
    window.setInterval(tick, 30000);
  }
})();
