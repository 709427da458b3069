// Small behaviours shared by every page. Widgets for search, feedback and the community
// find their places by [data-widget] and are added by their own scripts.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";

  // Show dates in the reader's language ("20 November 2026", "20 нояб. 2026 г.", ...).
  var format = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" });
  document.querySelectorAll("time[datetime]").forEach(function (node) {
    var date = new Date(node.getAttribute("datetime") + "T00:00:00");
    if (!isNaN(date)) node.textContent = format.format(date);
  });

  // Remember the language a reader picks, so the site's front door opens in it next time.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".md-select__link[hreflang]");
    if (!link) return;
    try { localStorage.setItem("portal.lang", link.getAttribute("hreflang")); } catch (e) {}
  });
})();
