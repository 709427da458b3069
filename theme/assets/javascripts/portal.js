// Small behaviours shared by every page. Widgets for search, feedback and the community
// find their places by [data-widget] and are added by their own scripts.
(function () {
  "use strict";
  // Dates on the pages are written by the build in each language's words (CLDR through
  // Babel): browsers lack some languages' data, and Chromium would print Khmer dates in
  // English.

  // Switching language: remember the choice, so the site's front door opens in it next
  // time; and where the page keeps its state in the address (?id=42, ?tag=battery,
  // ?q=warranty) and the other language has the same page, keep that state. Capturing on
  // window runs before the theme's own switcher, which would drop the address's state.
  var root = new URL((document.querySelector('meta[name="portal:root"]') || {}).content || "./", location.href);
  window.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".md-select__link[hreflang]");
    if (!link) return;
    var code = link.getAttribute("hreflang");
    try { localStorage.setItem("portal.lang", code); } catch (e) {}
    if (!location.search || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var samePage = new URL("../" + code + "/" + location.pathname.slice(root.pathname.length), root);
    if (new URL(link.href).pathname !== samePage.pathname) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    location.assign(samePage.href + location.search + location.hash);
  }, true);
})();
