// The questions list (sort tabs, tag and language filters, "load more") and the ask form.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;
  var SORTS = ["newest", "active", "votes", "unanswered"];

  function tagLink(tag) {
    return el("a", { class: "cm-tag", href: C.href("questions", { tag: tag }), text: tag });
  }

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
      tag: (query.get("tag") || "").trim().toLowerCase(),
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

    var tagField = C.field({ name: "tag", label: t("questions.filter.tag"), value: state.tag, attrs: { placeholder: t("questions.filter.tag.placeholder"), autocomplete: "off" } });
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
      state.tag = tagField.control.value.trim().toLowerCase().replace(/^#/, "");
      reload();
    });

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
      byAuthor, filters, summary, box, list, more
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
      tabs.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-sort") === state.sort));
      });
      tabs.hidden = filters.hidden = !!state.author;
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

  // ---- the ask form ------------------------------------------------------------------

  function parseTags(text) {
    var seen = [];
    text.toLowerCase().split(/[\s,，、]+/).forEach(function (tag) {
      tag = tag.replace(/^#/, "");
      if (tag && seen.indexOf(tag) < 0) seen.push(tag);
    });
    return seen;
  }
  C.parseTags = parseTags;

  function languageSelect(value) {
    return el("select", null, C.LANGUAGES.map(function (code) {
      var option = el("option", { value: code, lang: code, text: C.languageName(code) });
      option.selected = code === value;
      return option;
    }));
  }

  C.widget("ask-question", function (node) {
    var saved = C.draft("ask");
    var values = saved.load();
    var title = C.field({ name: "title", label: t("askform.title"), hint: t("askform.title.hint"), value: values.title || "", attrs: { maxlength: "150", autocomplete: "off" } });
    var similarList = el("ul", { class: "cm-similar__list" });
    var similar = el("section", { class: "cm-similar", "aria-label": t("askform.similar") }, [
      el("h2", { class: "cm-similar__title", text: t("askform.similar") }),
      similarList
    ]);
    var body = C.field({ name: "body", multiline: true, rows: 10, label: t("askform.body"), hint: t("askform.body.hint"), value: values.body || "" });
    var tags = C.field({ name: "tags", label: t("askform.tags"), hint: t("askform.tags.hint"), value: values.tags || "", attrs: { autocomplete: "off" } });
    var lang = C.field({ name: "lang", label: t("askform.language"), control: languageSelect(values.lang || C.lang) });
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: t("askform.submit") });
    var notice = el("div", { class: "cm-notice", hidden: true });
    var form = el("form", { class: "cm-form", novalidate: true, "aria-label": t("askform.form") }, [
      title, similar, body, tags, lang, box, el("div", { class: "cm-actions" }, [submit])
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
