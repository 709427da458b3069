// The questions list (sort tabs, tag and language filters, "load more") and the ask form;
// and what the question page shares with them: tags by their names in the page's language,
// drafts kept per language, and a Markdown preview.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;
  var SORTS = ["newest", "active", "votes", "unanswered"];

  // ---- tags: one identifier, a name in each language ---------------------------------

  // The build puts each tag's name in the page's language into the page's words, as
  // "tag.<identifier>" (site_config/ui.py). Links and the API keep the identifier.
  var TAG_NAMES = {};
  var TAG_BY_NAME = {};
  (function () {
    var words = {};
    try { words = JSON.parse(document.getElementById("portal-ui").textContent); } catch (e) { /* none */ }
    Object.keys(words).forEach(function (key) {
      if (key.slice(0, 4) !== "tag.") return;
      var tag = key.slice(4);
      TAG_NAMES[tag] = words[key];
      TAG_BY_NAME[tag] = tag;
      TAG_BY_NAME[words[key].toLocaleLowerCase(C.lang)] = tag;
    });
  })();

  function tagName(tag) {
    return Object.prototype.hasOwnProperty.call(TAG_NAMES, tag) ? TAG_NAMES[tag] : tag;
  }

  // The tag a reader means by what they typed: a name in this language or an identifier
  // (the API also knows the other languages' names).
  function tagFor(text) {
    var key = String(text || "").trim().replace(/^#/, "").split(/\s+/).join(" ").toLocaleLowerCase(C.lang);
    return Object.prototype.hasOwnProperty.call(TAG_BY_NAME, key) ? TAG_BY_NAME[key] : key;
  }

  // Every named tag, by its name in this language, alphabetically.
  function tagList() {
    return Object.keys(TAG_NAMES).sort(function (a, b) {
      return TAG_NAMES[a].localeCompare(TAG_NAMES[b], C.lang);
    });
  }

  function tagLink(tag) {
    return el("a", { class: "cm-tag", href: C.href("questions", { tag: tag }), "data-tag": tag, text: tagName(tag) });
  }

  C.tagName = tagName;
  C.tagFor = tagFor;
  C.tagList = tagList;
  C.tagLink = tagLink;

  function stat(count, key, extra) {
    return el("span", { class: "cm-stat" + (extra ? " " + extra : "") }, C.plural(key, count));
  }

  function summaryItem(question, sort) {
    var answers = "cm-stat--answers" + (question.accepted_answer_id ? " cm-stat--accepted" : "");
    var when = sort === "active"
      ? C.compose(t("questions.active_at"), { time: C.time(question.last_activity_at) })
      : C.compose(t("questions.asked_at"), { time: C.time(question.created_at) });
    return el("li", { class: "cm-item" }, [
      el("div", { class: "cm-stats" }, [
        stat(question.score, "cm.votes"),
        stat(question.answer_count, "cm.answers", question.answer_count ? answers : null),
        stat(question.view_count, "cm.views")
      ]),
      el("div", { class: "cm-item__main", lang: question.lang }, [
        el("h2", { class: "cm-item__title" }, [
          el("a", { href: C.href("question", { id: question.id }), text: question.title })
        ]),
        question.excerpt ? el("p", { class: "cm-excerpt", text: question.excerpt }) : null,
        el("div", { class: "cm-meta", lang: C.lang }, [
          el("span", { class: "cm-tags" }, question.tags.map(tagLink)),
          question.lang !== C.lang ? el("span", { class: "cm-lang", lang: question.lang, text: C.languageName(question.lang) }) : null,
          el("span", { class: "cm-byline" }, [
            C.member(question.author), " · ", when
          ])
        ])
      ])
    ]);
  }

  C.widget("question-list", function (node) {
    var query = new URLSearchParams(location.search);
    var state = {
      sort: SORTS.indexOf(query.get("sort")) >= 0 ? query.get("sort") : "newest",
      tag: tagFor(query.get("tag")), // ?tag= takes the identifier or a name
      // The reader's own language first; "all" shows every language.
      lang: C.LANGUAGES.concat("all").indexOf(query.get("lang")) >= 0 ? query.get("lang") : C.lang,
      // One member's questions (from their profile): newest first, on their own.
      author: (query.get("author") || "").trim(),
      cursor: null
    };

    var tabs = el("div", { class: "cm-tabs", role: "group", "aria-label": t("questions.sort") },
      SORTS.map(function (sort) {
        return el("button", {
          type: "button",
          class: "cm-tab",
          "data-sort": sort,
          text: t("questions.sort." + sort),
          onclick: function () { state.sort = sort; reload(); }
        });
      }));

    var tagChoices = el("datalist", { id: C.id("tags") }, tagList().map(function (tag) {
      return el("option", { value: tagName(tag) });
    }));
    var tagField = C.field({ name: "tag", label: t("questions.filter.tag"), value: tagName(state.tag), attrs: { placeholder: t("questions.filter.tag.placeholder"), autocomplete: "off", list: tagChoices.id } });
    tagField.appendChild(tagChoices);
    var langSelect = el("select", null, [el("option", { value: "all", text: t("questions.filter.all_languages") })]
      .concat(C.LANGUAGES.map(function (code) {
        return el("option", { value: code, lang: code, text: C.languageName(code) });
      })));
    var langField = C.field({ name: "lang", label: t("questions.filter.language"), control: langSelect, value: state.lang });
    langSelect.addEventListener("change", function () { state.lang = langSelect.value; reload(); });
    var filters = el("form", { class: "cm-filters", role: "search", "aria-label": t("questions.filter") }, [
      tagField,
      langField,
      el("div", { class: "cm-actions" }, [el("button", { type: "submit", class: "md-button", text: t("questions.filter.apply") })])
    ]);
    filters.addEventListener("submit", function (event) {
      event.preventDefault();
      state.tag = tagFor(tagField.control.value);
      reload();
    });
    // On a phone the filters fold away (the questions come first); open on wider screens
    // and whenever a filter is in use.
    filters.id = C.id("filters");
    var filterToggle = el("button", { type: "button", class: "cm-link-button cm-filter-toggle", "aria-controls": filters.id, text: t("questions.filter") });
    var filterBox = el("div", { class: "cm-filter-box" }, [filterToggle, filters]);
    function showFilters(on) {
      filterBox.classList.toggle("cm-filter-box--folded", !on);
      filterToggle.setAttribute("aria-expanded", String(on));
    }
    filterToggle.addEventListener("click", function () {
      var on = filterToggle.getAttribute("aria-expanded") !== "true";
      showFilters(on);
      if (on) tagField.control.focus();
    });
    // Folded, the button says which filters are in use.
    function showFiltersInUse() {
      var used = [];
      if (state.tag) used.push(tagName(state.tag));
      if (state.lang !== C.lang) used.push(state.lang === "all" ? t("questions.filter.all_languages") : C.languageName(state.lang));
      filterToggle.textContent = t("questions.filter") + (used.length ? ": " + used.join(", ") : "");
    }
    showFilters(false);

    var summary = el("p", { class: "cm-summary-line", "aria-live": "polite" });
    var byAuthor = el("p", { class: "cm-notice", hidden: true });
    function showAuthor(name) {
      byAuthor.name = name;
      byAuthor.hidden = false;
      byAuthor.textContent = "";
      C.append(byAuthor, [name ? t("questions.by", { name: name }) : t("questions.by.none"), " ", el("button", {
        type: "button",
        class: "cm-link-button",
        text: t("questions.by.all"),
        onclick: function () { state.author = ""; reload(); }
      })]);
    }
    var list = el("ul", { class: "cm-list", "aria-label": t("questions.list") });
    var box = C.problemBox();
    var more = el("button", { type: "button", class: "md-button cm-more", hidden: true, text: t("cm.load_more") });
    more.addEventListener("click", function () { load(true); });

    C.append(node, [
      el("div", { class: "cm-toolbar" }, [
        tabs,
        el("a", { class: "md-button md-button--primary", href: C.href("ask"), text: t("questions.ask") })
      ]),
      byAuthor, filterBox, summary, box, list, more
    ]);

    function reload() {
      state.cursor = null;
      var params = new URLSearchParams();
      if (state.sort !== "newest") params.set("sort", state.sort);
      if (state.tag) params.set("tag", state.tag);
      if (state.lang !== C.lang) params.set("lang", state.lang);
      if (state.author) params.set("author", state.author);
      var search = params.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
      load(false);
    }

    function load(append) {
      showFiltersInUse();
      tabs.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-sort") === state.sort));
      });
      tabs.hidden = filterBox.hidden = !!state.author;
      byAuthor.hidden = true;
      var params = new URLSearchParams({ limit: "20" });
      if (state.author) {
        params.set("author", state.author);
      } else {
        params.set("sort", state.sort);
        if (state.tag) params.set("tag", state.tag);
        if (state.lang !== "all") params.set("lang", state.lang);
      }
      if (append && state.cursor) params.set("cursor", state.cursor);
      list.setAttribute("aria-busy", "true");
      C.busy(more, true);
      if (!append) summary.textContent = t("cm.loading");
      box.hidden = true;
      C.api("GET", "/questions?" + params.toString()).then(function (page) {
        var before = list.children.length;
        if (!append) list.textContent = "";
        page.items.forEach(function (question) { list.appendChild(summaryItem(question, state.sort)); });
        if (state.author) showAuthor(page.items.length ? page.items[0].author.username : byAuthor.name);
        state.cursor = page.next_cursor;
        more.hidden = !page.next_cursor;
        summary.textContent = "";
        if (!list.children.length && !state.author) {
          summary.textContent = state.tag || state.lang !== "all" || state.sort === "unanswered"
            ? t("questions.empty.filtered")
            : t("questions.empty");
          summary.appendChild(document.createTextNode(" "));
          if (state.lang !== "all") {
            // Another language may have the answer: one step to widen the search.
            summary.appendChild(el("button", {
              type: "button",
              class: "cm-link-button",
              text: t("questions.filter.all_languages"),
              onclick: function () { state.lang = langSelect.value = "all"; reload(); }
            }));
            summary.appendChild(document.createTextNode(" · "));
          }
          summary.appendChild(el("a", { href: C.href("ask"), text: t("questions.empty.ask") }));
        } else if (append) {
          C.announce(C.plural("questions.loaded", page.items.length));
          // Keyboard readers continue where the new questions start.
          var first = list.children[before] && list.children[before].querySelector("a");
          if (first) first.focus();
        }
      }, function (error) {
        summary.textContent = "";
        C.showProblem(error, box);
        box.appendChild(el("button", { type: "button", class: "md-button", text: t("cm.retry"), onclick: function () { load(append); } }));
      }).then(function () {
        list.removeAttribute("aria-busy");
        C.busy(more, false);
      });
    }

    load(false);
  });

  // ---- tags typed in a form ----------------------------------------------------------

  // "аккумулятор, резервная копия" → ["battery", "backup"]: a name of several words is
  // one tag; otherwise spaces and commas separate tags.
  function parseTags(text) {
    var seen = [];
    function add(tag) {
      if (tag && seen.indexOf(tag) < 0) seen.push(tag);
    }
    String(text || "").split(/[,，、]+/).forEach(function (part) {
      var words = part.trim().split(/\s+/).filter(Boolean);
      for (var start = 0; start < words.length;) {
        var end = words.length;
        while (end > start + 1 && tagFor(words.slice(start, end).join(" ")) === words.slice(start, end).join(" ").toLocaleLowerCase(C.lang)) end -= 1;
        add(tagFor(words.slice(start, end).join(" ")));
        start = end;
      }
    });
    return seen;
  }
  C.parseTags = parseTags;

  // The tags a form's field will send, shown by name as it is typed, and the named tags
  // that begin with the word being typed, to pick with a click or Enter.
  function tagChips(field) {
    var input = field.control;
    var chosen = el("ul", { class: "cm-chips", "aria-label": t("askform.tags.chosen") });
    var offers = el("div", { class: "cm-chips cm-chips--offers", role: "group", "aria-label": t("askform.tags.suggest"), hidden: true });
    function show() {
      chosen.textContent = "";
      // The word being typed becomes a chip once a comma ends it, or once it names a tag.
      var typed = input.value;
      var last = typed.split(/[,，、]/).pop();
      if (last.trim() && !Object.prototype.hasOwnProperty.call(TAG_BY_NAME, tagFor(last))) typed = typed.slice(0, typed.length - last.length);
      parseTags(typed).forEach(function (tag) {
        chosen.appendChild(el("li", { class: "cm-tag", "data-tag": tag, text: tagName(tag) }));
      });
      chosen.hidden = !chosen.children.length;
      var typing = input.value.split(/[,，、]/).pop().trim().toLocaleLowerCase(C.lang);
      offers.textContent = "";
      if (typing) {
        tagList().filter(function (tag) {
          var name = tagName(tag).toLocaleLowerCase(C.lang);
          return (name.indexOf(typing) === 0 || tag.indexOf(typing) === 0) && name !== typing && tag !== typing;
        }).slice(0, 6).forEach(function (tag) {
          offers.appendChild(el("button", { type: "button", class: "cm-tag cm-tag--offer", text: tagName(tag), onclick: function () {
            var parts = input.value.split(/([,，、])/);
            parts[parts.length - 1] = (parts.length > 1 ? " " : "") + tagName(tag);
            input.value = parts.join("") + ", ";
            input.dispatchEvent(new Event("input", { bubbles: true }));
            input.focus();
          } }));
        });
      }
      offers.hidden = !offers.children.length;
    }
    input.addEventListener("input", show);
    C.append(field, [offers, chosen]);
    show();
    return field;
  }
  C.tagChips = tagChips;

  // ---- drafts: unsent text kept in this browser, per language --------------------------

  // Kept in localStorage under the page's language, so a reload, a sign-in or a closed tab
  // loses nothing, and a draft begun in one language does not appear in another.
  function keptDraft(key) {
    var name = "portal.draft." + C.lang + "." + key;
    return {
      load: function () {
        try { return JSON.parse(localStorage.getItem(name)) || {}; } catch (e) { return {}; }
      },
      save: function (value) {
        var empty = Object.keys(value).every(function (field) { return field === "lang" || !String(value[field] || "").trim(); });
        try {
          if (empty) localStorage.removeItem(name);
          else localStorage.setItem(name, JSON.stringify(value));
        } catch (e) { /* full or off */ }
      },
      clear: function () {
        try { localStorage.removeItem(name); } catch (e) { /* off */ }
      }
    };
  }
  C.keptDraft = keptDraft;

  // "Your unsent draft was restored" with a way to throw it away; hidden when there is none.
  function draftNotice(saved, fields) {
    var text = fields.filter(function (field) { return field.name !== "lang"; });
    var restored = text.some(function (field) { return field.control.value.trim(); });
    var notice = el("p", { class: "cm-draft-notice", hidden: !restored }, [
      t("draft.restored"), " ",
      el("button", { type: "button", class: "cm-link-button", text: t("draft.discard"), onclick: function () {
        text.forEach(function (field) {
          field.control.value = "";
          field.control.dispatchEvent(new Event("input", { bubbles: true }));
        });
        saved.clear();
        notice.hidden = true;
        text[0].control.focus();
      } })
    ]);
    return notice;
  }
  C.draftNotice = draftNotice;

  // ---- Markdown preview ----------------------------------------------------------------

  // "Write" and "Preview" above a Markdown field: the preview is the API's rendering
  // (POST /api/preview), sanitised exactly as the post will show.
  function previewProblem(error) {
    if (error.status === 422 && error.errors.length) {
      return error.errors.map(function (item) { return item.message; }).join(" ");
    }
    if (error.status === 429 && error.retryAfter) return t("cm.error.retry_after", { wait: C.duration(Number(error.retryAfter), true) });
    if (error.status === 0) return error.detail; // the network: already in the page's words
    return t("preview.error");
  }

  function withPreview(field, lang) {
    var control = field.control;
    var write = el("button", { type: "button", class: "cm-tab", "aria-pressed": "true", text: t("preview.write") });
    var show = el("button", { type: "button", class: "cm-tab", "aria-pressed": "false", text: t("preview.show") });
    var panel = el("div", { class: "cm-preview cm-body", role: "region", "aria-label": t("preview.label"), "aria-live": "polite", tabindex: "-1", lang: lang || null, hidden: true });
    var asked = 0;

    function mode(previewing) {
      write.setAttribute("aria-pressed", String(!previewing));
      show.setAttribute("aria-pressed", String(previewing));
      control.hidden = previewing;
      panel.hidden = !previewing;
      if (previewing) render();
      else control.focus();
    }

    function say(text) {
      panel.textContent = "";
      panel.appendChild(el("p", { class: "cm-hint", text: text }));
    }

    function render() {
      var text = control.value;
      var mine = ++asked;
      if (!text.trim()) return say(t("preview.empty"));
      say(t("cm.loading"));
      panel.setAttribute("aria-busy", "true");
      C.session().then(function (current) {
        if (!current.user) return { signedOut: true };
        return C.api("POST", "/preview", { body: text }, { signIn: false });
      }).then(function (result) {
        if (mine !== asked) return;
        if (result.signedOut) {
          panel.textContent = "";
          panel.appendChild(el("p", { class: "cm-hint" }, C.compose(t("preview.signin"), {
            signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") })
          })));
          return;
        }
        panel.innerHTML = result.html; // rendered and sanitised by the API
      }, function (error) {
        if (mine !== asked) return;
        panel.textContent = "";
        panel.appendChild(el("p", { class: "cm-inline-problem", role: "alert", text: previewProblem(error) }));
      }).then(function () {
        if (mine === asked) panel.removeAttribute("aria-busy");
      });
    }

    write.addEventListener("click", function () { mode(false); });
    show.addEventListener("click", function () { mode(true); });
    // Back to writing when the form shows a problem on this field.
    control.addEventListener("invalid", function () { mode(false); });
    var tabs = el("div", { class: "cm-tabs cm-preview-tabs", role: "group", "aria-label": t("preview.mode") }, [write, show]);
    field.insertBefore(tabs, control);
    control.insertAdjacentElement("afterend", panel);
    field.showWriting = function () { if (control.hidden) mode(false); };
    return field;
  }
  C.withPreview = withPreview;

  // ---- the ask form ------------------------------------------------------------------

  function languageSelect(value) {
    return el("select", null, C.LANGUAGES.map(function (code) {
      var option = el("option", { value: code, lang: code, text: C.languageName(code) });
      option.selected = code === value;
      return option;
    }));
  }

  C.widget("ask-question", function (node) {
    var saved = keptDraft("ask");
    var values = saved.load();
    var title = C.field({ name: "title", label: t("askform.title"), hint: t("askform.title.hint"), value: values.title || "", attrs: { maxlength: "150", autocomplete: "off" } });
    var similarList = el("ul", { class: "cm-similar__list" });
    var similar = el("section", { class: "cm-similar", "aria-label": t("askform.similar") }, [
      el("h2", { class: "cm-similar__title", text: t("askform.similar") }),
      similarList
    ]);
    var body = withPreview(C.field({ name: "body", multiline: true, rows: 10, label: t("askform.body"), hint: t("askform.body.hint"), value: values.body || "" }));
    var tags = tagChips(C.field({ name: "tags", label: t("askform.tags"), hint: t("askform.tags.hint"), value: values.tags || "", attrs: { autocomplete: "off" } }));
    var lang = C.field({ name: "lang", label: t("askform.language"), control: languageSelect(values.lang || C.lang) });
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: t("askform.submit") });
    var notice = el("div", { class: "cm-notice", hidden: true });
    var restored = draftNotice(saved, [title.control, body.control, tags.control].map(function (control) { return { name: control.name, control: control }; }));
    var form = el("form", { class: "cm-form", novalidate: true, "aria-label": t("askform.form") }, [
      restored, title, similar, body, tags, lang, box, el("div", { class: "cm-actions" }, [submit])
    ]);
    C.append(node, [notice, form]);

    if (window.portalSearch && typeof window.portalSearch.suggest === "function") {
      window.portalSearch.suggest(title.control, similarList, { lang: C.lang });
    }

    form.addEventListener("input", function () {
      saved.save({ title: title.control.value, body: body.control.value, tags: tags.control.value, lang: lang.control.value });
    });

    C.session().then(function (current) {
      if (current.user) return;
      // Anyone may draft; posting needs an account. The draft survives the detour.
      notice.hidden = false;
      C.append(notice, C.compose(t("askform.signin"), {
        signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") }),
        signup: el("a", { href: C.href("signup", { next: C.here() }), text: t("account.signup.inline") })
      }));
    }, function () { /* the API answers on submit, or says why not */ });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      C.clearProblems(form, box);
      body.showWriting();
      C.busy(submit, true);
      C.api("POST", "/questions", {
        title: title.control.value.trim(),
        body: body.control.value,
        tags: parseTags(tags.control.value),
        lang: lang.control.value
      }).then(function (question) {
        saved.clear();
        C.announce(t("askform.done"));
        location.assign(C.href("question", { id: question.id }));
      }, function (error) {
        C.busy(submit, false);
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    });
  });
})();
