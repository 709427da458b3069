// Moderation in the page: the flag button on posts, moderators' tools on the question page
// (hide, restore, delete, lock, duplicate, a note on an answer), the locked and duplicate
// notices, the review queue (data-widget="review") and the moderators' log
// (data-widget="moderation-log"). question.js calls portalModeration.decorate for each post.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;
  var langRoot = new URL((document.querySelector('meta[name="portal:root"]') || {}).content || "./", location.href);
  var siteRoot = new URL("../", langRoot); // promoted pages' addresses start at the site root
  var REASONS = ["spam", "offensive", "incorrect", "duplicate", "other"];

  var isStaff = C.isStaff;
  var staffOnly = C.staffOnly;

  function select(name, label, options) {
    var control = el("select", null, options.map(function (option) {
      return el("option", { value: option.value, text: option.text });
    }));
    return C.field({ name: name, label: label, control: control });
  }

  // A small form that opens under a button and closes on Cancel or when done.
  function disclosure(buttonText, buttonLabel, fields, submitText, send) {
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: submitText });
    var open = el("button", { type: "button", class: "cm-link-button", "aria-expanded": "false", "aria-label": buttonLabel, text: buttonText });
    var form = el("form", { class: "cm-form cm-form--small cm-moderation-form", novalidate: true, hidden: true }, fields.concat([
      box,
      el("div", { class: "cm-actions" }, [
        submit,
        el("button", { type: "button", class: "md-button", text: t("cm.cancel"), onclick: function () { toggle(false); } })
      ])
    ]));
    function toggle(on) {
      form.hidden = !on;
      open.setAttribute("aria-expanded", String(on));
      if (on) form.querySelector("select, input, textarea").focus();
      else open.focus();
    }
    open.addEventListener("click", function () { toggle(!form.hidden ? false : true); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      C.clearProblems(form, box);
      C.busy(submit, true);
      send(form).then(function (message) {
        C.busy(submit, false);
        toggle(false);
        if (message) C.announce(message);
      }, function (error) {
        C.busy(submit, false);
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    });
    return el("span", { class: "cm-disclosure" }, [open, form]);
  }

  function reasonField(name) {
    return C.field({ name: name || "reason", label: t("mod.reason"), hint: t("mod.reason.hint"), attrs: { maxlength: "300" } });
  }

  function flagControl(kind, post, path) {
    var reason = select("reason", t("flag.reason"), REASONS.map(function (value) {
      return { value: value, text: t("flag.reason." + value) };
    }));
    var note = C.field({ name: "note", multiline: true, rows: 2, label: t("flag.note"), attrs: { maxlength: "500" } });
    return disclosure(t("flag.button"), t("flag.label." + kind), [reason, note], t("flag.submit"), function (form) {
      var body = { reason: form.elements.reason.value };
      var text = form.elements.note.value.trim();
      if (text) body.note = text;
      return C.api("POST", path + "/flags", body).then(function (result) {
        return t(result.hidden ? "flag.done.hidden" : "flag.done");
      });
    });
  }

  function moderatorTools(kind, post, path, reload) {
    var actions = ["hide", "restore", "delete"];
    if (kind === "question") actions = actions.concat(["lock", "unlock", "mark_duplicate", "unmark_duplicate"]);
    var action = select("action", t("mod.action"), actions.map(function (value) {
      return { value: value, text: t("mod.action." + value) };
    }));
    var fields = [action, reasonField()];
    var original = null;
    if (kind === "question") {
      original = C.field({ name: "duplicate_of", label: t("mod.duplicate_of"), hint: t("mod.duplicate_of.hint"), attrs: { inputmode: "numeric" } });
      fields.push(original);
    }
    var tools = [disclosure(t("mod.button"), t("mod.label." + kind), fields, t("mod.submit"), function (form) {
      var body = { action: form.elements.action.value, reason: form.elements.reason.value.trim() };
      if (body.action === "mark_duplicate") body.duplicate_of = Number(form.elements.duplicate_of.value) || null;
      return C.api("POST", path + "/moderation", body).then(function () {
        reload();
        return t("mod.done");
      });
    })];
    if (kind === "answer") {
      var note = C.field({ name: "text", multiline: true, rows: 3, label: t("mod.note"), hint: t("mod.note.hint"), value: post.moderator_note ? post.moderator_note.text : "", attrs: { maxlength: "500" } });
      tools.push(disclosure(t("mod.note.button"), t("mod.note.label"), [note], t("mod.note.submit"), function (form) {
        var text = form.elements.text.value.trim();
        return C.api("PUT", path + "/moderator-note", { text: text || null }).then(function () {
          reload();
          return t("mod.note.done");
        });
      }));
    }
    return tools;
  }

  // The notices a post carries: a moderator's note on an answer.
  function notices(kind, post) {
    if (kind !== "answer" || !post.moderator_note) return null;
    var note = post.moderator_note;
    return el("aside", { class: "cm-mod-note", role: "note" }, [
      el("p", { class: "cm-mod-note__title", text: t("mod.note.shown") }),
      el("p", { class: "cm-mod-note__text", text: note.text }),
      el("p", { class: "cm-mod-note__by" }, C.compose(t("mod.note.by"), {
        moderator: el("span", { class: "cm-author", text: note.moderator.username }),
        time: C.time(note.at)
      }))
    ]);
  }

  // Make an answer a knowledge-base page, or take it back.
  function promoteTools(post, path, question, reload) {
    if (question.promoted_url && question.promoted_answer_id === post.id) {
      return [disclosure(t("promote.undo.button"), t("promote.undo.label"), [reasonField()], t("promote.undo.submit"), function (form) {
        var reason = form.elements.reason.value.trim();
        return C.api("DELETE", path + "/promotion" + (reason ? "?reason=" + encodeURIComponent(reason) : "")).then(function () {
          reload();
          return t("promote.undo.done");
        });
      })];
    }
    var title = C.field({ name: "title", label: t("promote.title"), value: question.title.slice(0, 120), attrs: { maxlength: "120" } });
    var summary = C.field({ name: "summary", multiline: true, rows: 2, label: t("promote.summary"), hint: t("promote.summary.hint"), attrs: { maxlength: "300" } });
    var tags = C.field({ name: "tags", label: t("askform.tags"), hint: t("askform.tags.hint"), value: question.tags.join(" ") });
    var lang = select("lang", t("promote.lang"), C.LANGUAGES.map(function (code) {
      return { value: code, text: C.languageName(code) };
    }));
    lang.control.value = question.lang;
    return [disclosure(t("promote.button"), t("promote.label"), [title, summary, tags, lang], t("promote.submit"), function (form) {
      return C.api("PUT", path + "/promotion", {
        title: form.elements.title.value.trim(),
        summary: form.elements.summary.value.trim(),
        tags: C.parseTags(form.elements.tags.value),
        lang: form.elements.lang.value
      }).then(function () {
        reload();
        return t("promote.done");
      });
    })];
  }

  // The notices a question carries at the top of its page: promoted, locked, a duplicate.
  function questionNotices(question) {
    var parts = [];
    if (question.promoted_url) {
      parts.push(el("p", { class: "cm-notice cm-promoted" }, C.compose(t("question.promoted"), {
        link: el("a", { href: new URL(question.promoted_url, siteRoot).href, text: t("question.promoted.link") })
      })));
    }
    if (question.duplicate_of) {
      parts.push(el("p", { class: "cm-notice cm-duplicate" }, C.compose(t("question.duplicate"), {
        link: el("a", { href: C.href("question", { id: question.duplicate_of }), text: t("question.duplicate.link") })
      })));
    }
    if (question.locked) parts.push(el("p", { class: "cm-notice cm-locked", text: t("question.locked") }));
    return parts.length ? el("div", { class: "cm-question-notices" }, parts) : null;
  }

  // Called by question.js for each post: the actions this member may take on it.
  function actions(kind, post, path, user, reload, question) {
    if (!user) return [];
    var found = [];
    if (post.author.id !== user.id) found.push(flagControl(kind, post, path));
    if (isStaff(user)) found = found.concat(moderatorTools(kind, post, path, reload));
    if (isStaff(user) && kind === "answer" && question) found = found.concat(promoteTools(post, path, question, reload));
    return found;
  }

  window.portalModeration = { actions: actions, notices: notices, questionNotices: questionNotices };

  // ---- the review queue --------------------------------------------------------------

  function reviewItem(item, done) {
    var path = "/" + item.post_kind + "s/" + item.post_id;
    var body = el("div", { class: "cm-body" });
    body.innerHTML = item.body_html; // sanitised by the API
    var reason = reasonField();
    var box = C.problemBox();
    var card = el("article", { class: "cm-review", tabindex: "-1", "aria-label": t("review.item." + item.post_kind, { title: item.question_title }) });

    var form = el("form", { class: "cm-form cm-form--small", novalidate: true }, [
      reason,
      box,
      el("div", { class: "cm-actions" }, ["approve", "hide", "delete"].map(function (action) {
        return el("button", { type: "button", class: "md-button" + (action === "approve" ? " md-button--primary" : ""), text: t("review.action." + action), onclick: function () { act(action); } });
      }))
    ]);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function act(action) {
      C.clearProblems(form, box);
      var text = reason.control.value.trim();
      var sent = { action: action };
      if (text) sent.reason = text;
      C.api("POST", path + "/moderation", sent).then(function () {
        C.announce(t("review.done." + action));
        done(card);
      }, function (error) {
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    }

    C.append(card, [
      el("h2", { class: "cm-review__title" }, [
        el("a", { href: C.href("question", { id: item.question_id }) + (item.post_kind === "answer" ? "#answer-" + item.post_id : ""), text: item.question_title })
      ]),
      el("p", { class: "cm-meta" }, [
        el("span", { class: "cm-review__why", text: t("review.why." + item.why) }), " · ",
        C.compose(t("review.by"), { author: el("span", { class: "cm-author", text: item.author.username }), time: C.time(item.since) }),
        item.hidden ? el("span", { class: "cm-badge", text: t("review.hidden") }) : null
      ]),
      body,
      item.flags.length ? el("ul", { class: "cm-review__flags", "aria-label": t("review.flags") }, item.flags.map(function (flag) {
        return el("li", null, [
          el("strong", { text: t("flag.reason." + flag.reason) }), " – ",
          el("span", { class: "cm-author", text: flag.flagger.username }),
          flag.note ? el("span", { class: "cm-review__note", text: " “" + flag.note + "”" }) : null
        ]);
      })) : null,
      item.revisions.length > 1 ? el("p", { class: "cm-hint", text: C.plural("review.revisions", item.revisions.length) }) : null,
      form
    ]);
    return card;
  }

  C.widget("review", function (node) {
    C.session().then(function (session) {
      if (!staffOnly(node, session.user)) return;
      var list = el("div", { class: "cm-review__list" });
      var summary = el("p", { class: "cm-summary-line", "aria-live": "polite", text: t("cm.loading") });
      C.append(node, [summary, list]);
      C.api("GET", "/review?limit=50").then(function (page) {
        summary.textContent = page.items.length ? "" : t("review.empty");
        page.items.forEach(function (item) {
          list.appendChild(reviewItem(item, function (card) {
            var next = card.nextElementSibling || card.previousElementSibling;
            card.remove();
            if (next) next.focus();
            if (!list.children.length) summary.textContent = t("review.empty");
          }));
        });
      }, function (error) { summary.textContent = error.detail; });
    });
  });

  // ---- the moderators' log -----------------------------------------------------------

  C.widget("moderation-log", function (node) {
    C.session().then(function (session) {
      if (!staffOnly(node, session.user)) return;
      var rows = el("tbody");
      var table = el("table", { class: "cm-log" }, [
        el("caption", { text: t("log.caption") }),
        el("thead", null, el("tr", null, ["log.when", "log.who", "log.what", "log.post", "log.why"].map(function (key) {
          return el("th", { scope: "col", text: t(key) });
        }))),
        rows
      ]);
      var more = el("button", { type: "button", class: "md-button cm-more", hidden: true, text: t("cm.load_more") });
      var cursor = null;
      // A deleted post is gone from its page: bringing it back starts here.
      function undelete(entry) {
        var path = "/" + entry.post_kind + "s/" + entry.post_id + "/moderation";
        return el("div", null, disclosure(t("log.undelete"), t("log.undelete.label." + entry.post_kind), [reasonField()], t("log.undelete.submit"), function (form) {
          return C.api("POST", path, { action: "undelete", reason: form.elements.reason.value.trim() }).then(function () {
            return t("log.undelete.done");
          });
        }));
      }
      function load() {
        C.api("GET", "/moderation/log?limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "")).then(function (page) {
          page.items.forEach(function (entry) {
            rows.appendChild(el("tr", null, [
              el("td", null, C.time(entry.at)),
              el("td", { text: entry.moderator.username }),
              el("td", { text: t("log.action." + entry.action) }),
              el("td", null, el("a", { href: C.href("question", { id: entry.question_id }), text: t("log.post." + entry.post_kind) })),
              el("td", null, [entry.reason || "", entry.action === "deleted" ? undelete(entry) : null])
            ]));
          });
          cursor = page.next_cursor;
          more.hidden = !cursor;
        });
      }
      more.addEventListener("click", load);
      C.append(node, [table, more]);
      load();
    });
  });
})();
