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

  // The kinds a reader can narrow to (the API also knows "page", which the filter leaves out).
  var KINDS = ["faq", "guide", "community", "question"];

  function searchPageIn(lang, query, filters) {
    var url = new URL(lang + "/" + searchPage(), siteRoot);
    url.searchParams.set("q", query);
    Object.keys(filters || {}).forEach(function (name) {
      if (filters[name]) url.searchParams.set(name, filters[name]);
    });
    return url.href;
  }

  // Tags by their names in the page's language; the community script keeps the names
  // (without it, tags show as they are written).
  function community() {
    var C = window.portalCommunity || {};
    return {
      tagName: C.tagName || function (tag) { return tag; },
      tagFor: C.tagFor || function (text) { return String(text || "").trim().toLowerCase(); },
      tagList: C.tagList || function () { return []; },
      languageName: C.languageName || function (code) { return code; },
      plural: C.plural || function (key, number) { return t(key) + " " + number; }
    };
  }

  function hitItem(hit, tagHref, C) {
    var tags = (hit.tags || []).length ? el("span", { class: "portal-search__tags" },
      hit.tags.map(function (tag) {
        return el("a", { class: "portal-search__tag", href: tagHref(tag), "data-tag": tag, text: C.tagName(tag) });
      })) : null;
    return el("li", { class: "portal-search-results__item", lang: hit.lang }, [
      el("a", { href: new URL(hit.url, siteRoot).href, class: "portal-search-results__title", text: hitTitle(hit) }),
      el("span", { class: "portal-search__meta", lang: pageLang, text: kindLabel(hit) }),
      el("p", { class: "portal-search__snippet" }, [snippetNodes(hit.snippet)]),
      tags
    ]);
  }

  function resultsWidget(place) {
    var C = community();
    place.textContent = "";
    var params = new URLSearchParams(location.search);
    var query = (params.get("q") || "").trim();
    var state = {
      page: parseInt(params.get("page") || "1", 10) || 1,
      kind: KINDS.indexOf(params.get("kind")) >= 0 ? params.get("kind") : "",
      tag: params.get("tag") ? C.tagFor(params.get("tag")) : "" // the identifier, or a name
    };

    function filtersNow() { return { kind: state.kind, tag: state.tag }; }
    function pageHref(page, filters) {
      var url = new URL(searchPageIn(pageLang, query, filters || filtersNow()));
      if (page > 1) url.searchParams.set("page", String(page));
      return url.href;
    }

    // ---- the filters: type and tag, kept in the address
    var kindSelect = el("select", { id: nextId("portal-search-kind"), name: "kind" });
    kindSelect.appendChild(el("option", { value: "", text: t("search.filter.kind.all") }));
    KINDS.forEach(function (kind) { kindSelect.appendChild(el("option", { value: kind, text: t("search.kind." + kind) })); });
    kindSelect.value = state.kind;
    var tagSelect = el("select", { id: nextId("portal-search-tag"), name: "tag" });
    tagSelect.appendChild(el("option", { value: "", text: t("search.filter.tag.any") }));
    var tags = C.tagList();
    if (state.tag && tags.indexOf(state.tag) < 0) tags = [state.tag].concat(tags);
    tags.forEach(function (tag) { tagSelect.appendChild(el("option", { value: tag, text: C.tagName(tag) })); });
    tagSelect.value = state.tag;
    var filters = el("form", { class: "portal-search-filters", "aria-label": t("search.filters") }, [
      el("div", { class: "portal-search-filters__field" }, [
        el("label", { for: kindSelect.id, text: t("search.filter.kind") }), kindSelect
      ]),
      el("div", { class: "portal-search-filters__field" }, [
        el("label", { for: tagSelect.id, text: t("search.filter.tag") }), tagSelect
      ])
    ]);
    var timer = null;
    function changed() {
      state.kind = kindSelect.value;
      state.tag = tagSelect.value;
      state.page = 1;
      history.replaceState(null, "", pageHref(1));
      // Arrow keys on a closed select change it at each step: search once they rest.
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    }
    kindSelect.addEventListener("change", changed);
    tagSelect.addEventListener("change", changed);
    filters.addEventListener("submit", function (event) { event.preventDefault(); run(); });

    var status = el("p", { class: "portal-search-results__status", role: "status" });
    var list = el("ol", { class: "portal-search-results__list" });
    var elsewhere = el("section", { class: "portal-search-elsewhere", hidden: "" });
    // Material takes a click on a link into another language's site for its language
    // switcher (and opens this page's counterpart there): these links go where they say.
    elsewhere.addEventListener("click", function (event) { event.stopPropagation(); });
    var pager = el("nav", { class: "portal-search-results__pager" });
    if (!query) return;
    [filters, status, list, elsewhere, pager].forEach(function (node) { place.appendChild(node); });

    function tagHref(tag) { return pageHref(1, { kind: state.kind, tag: tag }); }

    function clearButton() {
      var button = el("button", { type: "button", class: "portal-search-results__clear", text: t("search.filter.clear") });
      button.addEventListener("click", function () {
        kindSelect.value = "";
        tagSelect.value = "";
        changed();
        kindSelect.focus();
      });
      return button;
    }

    // Nothing here in this language: say where there is something, link to that
    // language's results page, and show the best of it here.
    function offerElsewhere(found) {
      elsewhere.textContent = "";
      elsewhere.hidden = !found.length;
      if (!found.length) return;
      elsewhere.appendChild(el("p", { text: t("search.elsewhere", { query: query }) }));
      elsewhere.appendChild(el("ul", { class: "portal-search-elsewhere__links" }, found.map(function (other) {
        return el("li", null, [el("a", {
          href: searchPageIn(other.lang, query, filtersNow()),
          "data-lang": other.lang,
          text: C.plural("search.elsewhere.count", other.total, { language: C.languageName(other.lang) })
        })]);
      })));
      var best = found.slice().sort(function (a, b) { return b.total - a.total; })[0];
      var heading = el("h2", { class: "portal-search-elsewhere__title", text: t("search.elsewhere.results", { language: C.languageName(best.lang) }) });
      var shown = el("ol", { class: "portal-search-results__list", lang: best.lang });
      fetchResults({ q: query, lang: best.lang, kind: state.kind, tag: state.tag }).then(function (body) {
        body.items.slice(0, 5).forEach(function (hit) { shown.appendChild(hitItem(hit, tagHref, C)); });
        if (shown.children.length) { elsewhere.appendChild(heading); elsewhere.appendChild(shown); }
      }, function () { /* the links above still lead there */ });
    }

    var asked = 0;
    function run() {
      var mine = ++asked;
      place.setAttribute("aria-busy", "true");
      // submitted: a search the reader asked for (not one typed halfway), so one that finds
      // nothing is counted as a gap in the content.
      fetchResults({ q: query, lang: pageLang, kind: state.kind, tag: state.tag, page: state.page, submitted: "1" })
        .then(function (body) {
          if (mine !== asked) return;
          list.textContent = "";
          pager.textContent = "";
          status.textContent = "";
          var notes = [];
          if (body.did_you_mean) notes.push(t("search.corrected", { query: body.did_you_mean }));
          var filtered = !!(state.kind || state.tag);
          notes.push(body.total
            ? t(body.total_exact === false ? "search.count_about" : "search.count", { count: numbers.format(body.total) })
            : t(filtered ? "search.filter.empty" : "search.empty", { query: query }));
          status.appendChild(document.createTextNode(notes.join(" ")));
          if (!body.total && filtered) { status.appendChild(document.createTextNode(" ")); status.appendChild(clearButton()); }
          body.items.forEach(function (hit) { list.appendChild(hitItem(hit, tagHref, C)); });
          offerElsewhere(body.total ? [] : body.other_languages || []);
          if (body.pages > 1) {
            if (state.page > 1) pager.appendChild(el("a", { href: pageHref(state.page - 1), rel: "prev", text: t("search.previous") }));
            pager.appendChild(el("span", { text: t("search.page", { page: state.page, pages: body.pages }) }));
            if (state.page < body.pages) pager.appendChild(el("a", { href: pageHref(state.page + 1), rel: "next", text: t("search.next") }));
          }
        })
        .catch(function (error) {
          if (mine !== asked) return;
          status.textContent = error.problem ? error.problem.detail : t("search.error");
        })
        .then(function () { if (mine === asked) place.removeAttribute("aria-busy"); });
    }
    run();
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
  // The results page names tags and languages with the community script's helpers, which
  // load after this one: start it once every script has run.
  function startResults() { document.querySelectorAll('[data-widget="search-results"]').forEach(resultsWidget); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startResults);
  else setTimeout(startResults, 0);
})();
