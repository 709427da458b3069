// Search: the box under the tabs on every page (instant results while typing), the full
// results page (search/?q=), and window.portalSearch.suggest() for other widgets, e.g. the
// ask-question form showing similar questions and articles as the title is typed.
// Results come from GET /api/search; the box is an ARIA 1.2 combobox with a listbox popup.
(function () {
  "use strict";

  var DEBOUNCE_MS = 180;
  var INSTANT_RESULTS = 6;

  function meta(name) {
    var node = document.querySelector('meta[name="' + name + '"]');
    return node ? node.getAttribute("content") : null;
  }

  var apiBase = (meta("portal:api") || "/api").replace(/\/$/, "");
  var langRoot = new URL(meta("portal:root") || "./", location.href);
  var siteRoot = new URL("../", langRoot); // results' urls are relative to the site root

  // The results page's address, from the build (site_config/widget_pages.py).
  function searchPage() {
    try {
      return JSON.parse(document.getElementById("portal-pages").textContent).search;
    } catch (e) {
      return "search/";
    }
  }
  var pageLang = document.documentElement.lang || "en";
  var words = {};
  try {
    words = JSON.parse(document.getElementById("portal-ui").textContent);
  } catch (e) { /* no words: keys show, search still works */ }

  function t(key, vars) {
    var text = Object.prototype.hasOwnProperty.call(words, key) ? words[key] : key;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return vars && name in vars ? String(vars[name]) : all;
    });
  }

  // The number of results in the page's language; "~" before an estimate, which the
  // ranking gives when it skipped matches that could not reach the first pages.
  var numbers = new Intl.NumberFormat(pageLang);
  function count(body) {
    return (body.total_exact === false ? "~" : "") + numbers.format(body.total);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + "-" + uid; }

  function resultsPage(query, page) {
    var url = new URL(searchPage(), langRoot);
    url.searchParams.set("q", query);
    if (page && page > 1) url.searchParams.set("page", String(page));
    return url.href;
  }

  // The API's snippet is escaped text with <mark> around matches; rebuild it from text and
  // <mark> elements only, so nothing else from the server can become markup.
  function snippetNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.tagName === "MARK") out.appendChild(el("mark", { text: node.textContent }));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function fetchResults(params, signal) {
    var url = new URL(apiBase + "/search", location.href);
    Object.keys(params).forEach(function (name) {
      if (params[name]) url.searchParams.set(name, params[name]);
    });
    return fetch(url.href, { signal: signal, headers: { Accept: "application/json" } }).then(
      function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw Object.assign(new Error(body.detail || "search failed"), { problem: body });
          return body;
        });
      }
    );
  }

  function kindLabel(hit) {
    var label = t("search.kind." + hit.kind);
    return hit.status && hit.kind === "question" ? label + " · " + t("search.status." + hit.status) : label;
  }

  function hitTitle(hit) {
    return hit.section ? hit.title + " › " + hit.section : hit.title;
  }

  // ---- the combobox: an input that shows results in a listbox while typing -------------

  function combobox(input, list, options) {
    options = options || {};
    var limit = options.limit || INSTANT_RESULTS;
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;
    var lastQuery = "";

    list.id = list.id || nextId("portal-search-list");
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    function open(yes) {
      list.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) setActive(-1);
    }

    function setActive(index) {
      active = index;
      items.forEach(function (item, i) {
        item.node.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].node.id);
        items[index].node.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(label, href, extra) {
      var node = el("li", { role: "option", id: nextId("portal-search-option"), "aria-selected": "false" });
      node.appendChild(el("a", { href: href, tabindex: "-1" }, [label]));
      if (extra) node.appendChild(extra);
      node.addEventListener("mousedown", function (event) { event.preventDefault(); });
      node.addEventListener("click", function (event) {
        if (options.onPick) { event.preventDefault(); options.onPick(href); }
      });
      return { node: node, href: href };
    }

    function render(body, query) {
      list.textContent = "";
      items = [];
      body.items.slice(0, limit).forEach(function (hit) {
        var label = el("span", { class: "portal-search__title", text: hitTitle(hit) });
        var about = el("span", { class: "portal-search__meta", text: kindLabel(hit) });
        var snippet = el("span", { class: "portal-search__snippet" }, [snippetNodes(hit.snippet)]);
        var item = option(label, new URL(hit.url, siteRoot).href, snippet);
        item.node.querySelector("a").appendChild(about);
        items.push(item);
      });
      if (!body.items.length) {
        list.appendChild(el("li", { class: "portal-search__empty", role: "presentation", text: t("search.empty", { query: query }) }));
      }
      if (options.showAll !== false && body.total > 0) {
        var all = option(el("span", { text: t("search.all") + " (" + count(body) + ")" }), resultsPage(query));
        all.node.classList.add("portal-search__all");
        items.push(all);
      }
      items.forEach(function (item) { list.appendChild(item.node); });
      setActive(-1);
      open(true);
    }

    function search() {
      var query = input.value.trim();
      if (query === lastQuery && !list.hidden) return;
      lastQuery = query;
      if (controller) controller.abort();
      if (query.length < 2) { list.textContent = ""; items = []; open(false); return; }
      controller = new AbortController();
      fetchResults({ q: query, lang: options.lang, kind: options.kind }, controller.signal)
        .then(function (body) { if (input.value.trim() === query) render(body, query); })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          list.textContent = "";
          items = [];
          list.appendChild(el("li", { role: "presentation", class: "portal-search__empty", text: error.problem ? error.problem.detail : t("search.error") }));
          open(true);
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var count = items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && count) { open(true); setActive(0); }
        else if (count) setActive(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          var href = items[active].href;
          if (options.onPick) options.onPick(href); else location.href = href;
        } else if (options.onSubmit) {
          event.preventDefault();
          options.onSubmit(input.value.trim());
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); open(false); }
        else if (input.value) { event.preventDefault(); input.value = ""; lastQuery = ""; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
    input.addEventListener("focus", function () { if (items.length && input.value.trim() === lastQuery) open(true); });
    return { refresh: search, close: function () { open(false); } };
  }

  // ---- the box under the tabs ---------------------------------------------------------

  function searchBox(place) {
    var inputId = nextId("portal-search-input");
    var input = el("input", { type: "search", id: inputId, name: "q", placeholder: t("search.placeholder"), enterkeyhint: "search", spellcheck: "false" });
    var list = el("ul", { class: "portal-search__list", "aria-label": t("search.label") });
    var form = el("form", { class: "portal-search md-grid", role: "search", action: new URL(searchPage(), langRoot).pathname }, [
      el("label", { for: inputId, class: "portal-search__label", text: t("search.label") }),
      el("div", { class: "portal-search__field" }, [input, list]),
      el("button", { type: "submit", class: "md-button md-button--primary", text: t("search.button") })
    ]);
    var lang = place.getAttribute("data-lang") || pageLang;
    combobox(input, list, { lang: lang, onSubmit: function (query) { if (query) location.href = resultsPage(query); } });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.value.trim()) location.href = resultsPage(input.value.trim());
    });
    var current = new URLSearchParams(location.search).get("q");
    if (current && document.querySelector('[data-widget="search-results"]')) input.value = current;
    place.appendChild(form);
  }

  // ---- the full results page ----------------------------------------------------------

  function resultsWidget(place) {
    place.textContent = "";
    var params = new URLSearchParams(location.search);
    var query = (params.get("q") || "").trim();
    var page = parseInt(params.get("page") || "1", 10) || 1;
    var status = el("p", { class: "portal-search-results__status", role: "status" });
    var list = el("ol", { class: "portal-search-results__list" });
    var pager = el("nav", { class: "portal-search-results__pager" });
    place.appendChild(status);
    place.appendChild(list);
    place.appendChild(pager);
    if (!query) return;
    // submitted: a search the reader asked for (not one typed halfway), so one that finds
    // nothing is counted as a gap in the content.
    fetchResults({ q: query, lang: pageLang, kind: params.get("kind"), tag: params.get("tag"), page: page, submitted: "1" })
      .then(function (body) {
        var notes = [];
        if (body.did_you_mean) notes.push(t("search.corrected", { query: body.did_you_mean }));
        notes.push(body.total
          ? t(body.total_exact === false ? "search.count_about" : "search.count", { count: numbers.format(body.total) })
          : t("search.empty", { query: query }));
        status.textContent = notes.join(" ");
        body.items.forEach(function (hit) {
          list.appendChild(el("li", { class: "portal-search-results__item" }, [
            el("a", { href: new URL(hit.url, siteRoot).href, class: "portal-search-results__title", text: hitTitle(hit) }),
            el("span", { class: "portal-search__meta", text: kindLabel(hit) }),
            el("p", { class: "portal-search__snippet" }, [snippetNodes(hit.snippet)])
          ]));
        });
        if (body.pages > 1) {
          if (page > 1) pager.appendChild(el("a", { href: resultsPage(query, page - 1), rel: "prev", text: t("search.previous") }));
          pager.appendChild(el("span", { text: t("search.page", { page: page, pages: body.pages }) }));
          if (page < body.pages) pager.appendChild(el("a", { href: resultsPage(query, page + 1), rel: "next", text: t("search.next") }));
        }
      })
      .catch(function (error) {
        status.textContent = error.problem ? error.problem.detail : t("search.error");
      });
  }

  // For other widgets: suggest(input, list, {lang, kind, limit, onPick}) turns an input and
  // an empty <ul> into a combobox of matching questions and articles.
  window.portalSearch = {
    suggest: function (input, list, options) {
      options = Object.assign({ lang: pageLang, showAll: false }, options || {});
      return combobox(input, list, options);
    },
    search: function (params) { return fetchResults(Object.assign({ lang: pageLang }, params)); }
  };

  document.querySelectorAll('[data-widget="search"]').forEach(searchBox);
  document.querySelectorAll('[data-widget="search-results"]').forEach(resultsWidget);
})();
