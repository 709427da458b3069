// One question (?id=): votes, answers, comments, accepting, following, editing, answering.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  function glyph(text) {
    return el("span", { class: "cm-glyph", "aria-hidden": "true", text: text });
  }

  function signInLinks(template, why) {
    return C.compose(t(template), {
      signin: el("a", { href: C.loginHref(null, why), text: t("account.signin.inline") }),
      signup: el("a", { href: C.href("signup", { next: C.here() }), text: t("account.signup.inline") })
    });
  }

  // A message that belongs to one post ("You can't vote on your own post").
  function flash(post, message) {
    var main = post.querySelector(".cm-post__main, .cm-edit");
    var box = main && main.querySelector(":scope > .cm-inline-problem");
    if (!box) {
      box = el("p", { class: "cm-inline-problem", role: "alert" });
      (main || post).appendChild(box);
    }
    box.textContent = message;
  }

  // ---- votes: optimistic, then whatever the server says --------------------------------

  function voteControl(kind, post, path, user, card) {
    var state = { score: post.score, vote: post.viewer.vote, pending: 0 };
    var confirmed = { score: post.score, vote: post.viewer.vote };
    var chain = Promise.resolve();
    var up = el("button", { type: "button", class: "cm-vote__button", "aria-label": t("vote.up." + kind) }, glyph("▲"));
    var down = el("button", { type: "button", class: "cm-vote__button", "aria-label": t("vote.down." + kind) }, glyph("▼"));
    var score = el("span", { class: "cm-vote__score" });

    function show() {
      up.setAttribute("aria-pressed", String(state.vote === 1));
      down.setAttribute("aria-pressed", String(state.vote === -1));
      score.textContent = C.number(state.score);
      score.setAttribute("aria-label", t("vote.score", { score: C.number(state.score) }));
    }

    function cast(value) {
      if (!user) return location.assign(C.loginHref(null, "vote"));
      if (post.author.id === user.id) return flash(card(), t("vote.own"));
      var target = state.vote === value ? 0 : value;
      state.score += target - state.vote;
      state.vote = target;
      show();
      state.pending += 1;
      // One request at a time per post, in click order; the last answer is the truth.
      chain = chain.then(function () {
        return C.api("PUT", path + "/vote", { value: target }).then(function (result) {
          confirmed = result;
          state.pending -= 1;
          if (state.pending) return;
          state.score = result.score;
          state.vote = result.vote;
          show();
          if (C.awards) C.awards.soon(); // a vote may complete a quest or earn a badge
          C.announce(result.vote ? t("vote.recorded", { score: C.number(result.score) }) : t("vote.withdrawn", { score: C.number(result.score) }));
        }, function (error) {
          state.pending -= 1;
          state.score = confirmed.score;
          state.vote = confirmed.vote;
          show();
          if (!error.redirecting) flash(card(), error.detail);
        });
      });
    }

    up.addEventListener("click", function () { cast(1); });
    down.addEventListener("click", function () { cast(-1); });
    show();
    return el("div", { class: "cm-vote", role: "group", "aria-label": t("vote.group." + kind) }, [up, score, down]);
  }

  // ---- comments ----------------------------------------------------------------------

  function commentItem(comment) {
    return el("li", { class: "cm-comment" }, [
      el("span", { class: "cm-comment__body", text: comment.body }),
      " – ", C.member(comment.author), " ", C.time(comment.created_at)
    ]);
  }

  function comments(list, path, user) {
    var items = el("ul", { class: "cm-comments__list" }, list.map(commentItem));
    var section = el("section", { class: "cm-comments", "aria-label": t("comment.list") }, [items]);
    if (!user) {
      section.appendChild(el("a", { class: "cm-link-button", href: C.loginHref(null, "comment"), text: t("comment.add") }));
      return section;
    }
    var box = C.problemBox();
    var input = C.field({ name: "body", multiline: true, rows: 3, label: t("comment.label"), hint: t("comment.hint"), attrs: { maxlength: "600" } });
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: t("comment.submit") });
    var open = el("button", { type: "button", class: "cm-link-button", "aria-expanded": "false", text: t("comment.add") });
    var form = el("form", { class: "cm-form cm-form--small", novalidate: true, hidden: true }, [
      input, box,
      el("div", { class: "cm-actions" }, [
        submit,
        el("button", { type: "button", class: "md-button", text: t("cm.cancel"), onclick: function () { toggle(false); } })
      ])
    ]);
    function toggle(on) {
      form.hidden = !on;
      open.hidden = on;
      open.setAttribute("aria-expanded", String(on));
      if (on) input.control.focus();
      else open.focus();
    }
    open.addEventListener("click", function () { toggle(true); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      C.clearProblems(form, box);
      C.busy(submit, true);
      C.api("POST", path + "/comments", { body: input.control.value.trim() }).then(function (comment) {
        items.appendChild(commentItem(comment));
        input.control.value = "";
        C.busy(submit, false);
        toggle(false);
        C.announce(t("comment.done"));
      }, function (error) {
        C.busy(submit, false);
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    });
    C.append(section, [open, form]);
    return section;
  }

  // ---- editing -----------------------------------------------------------------------

  function editForm(kind, post, path, done, cancel) {
    var box = C.problemBox();
    var fields = [];
    if (kind === "question") {
      fields.push(C.field({ name: "title", label: t("askform.title"), value: post.title, attrs: { maxlength: "150" } }));
    }
    var bodyField = C.withPreview(C.field({ name: "body", multiline: true, rows: 10, label: t("askform.body"), hint: t("cm.markdown"), value: post.body }), post.lang);
    fields.push(bodyField);
    if (kind === "question") {
      fields.push(C.tagChips(C.field({ name: "tags", label: t("askform.tags"), hint: t("askform.tags.hint"), value: post.tags.map(C.tagName).join(", ") })));
    }
    fields.push(C.field({ name: "reason", label: t("edit.reason"), hint: t("edit.reason.hint"), attrs: { maxlength: "300" } }));
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: t("edit.save") });
    var form = el("form", { class: "cm-form cm-edit", novalidate: true, "aria-label": t("edit.form." + kind) }, fields.concat([
      box,
      el("div", { class: "cm-actions" }, [
        submit,
        el("button", { type: "button", class: "md-button", text: t("cm.cancel"), onclick: cancel })
      ])
    ]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { body: form.elements.body.value };
      var reason = form.elements.reason.value.trim();
      if (reason) body.reason = reason;
      if (kind === "question") {
        body.title = form.elements.title.value.trim();
        body.tags = C.parseTags(form.elements.tags.value);
      }
      C.clearProblems(form, box);
      bodyField.showWriting();
      C.busy(submit, true);
      C.api("PATCH", path, body).then(function (updated) {
        C.announce(t("edit.done"));
        done(updated);
      }, function (error) {
        C.busy(submit, false);
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    });
    return form;
  }

  // ---- one post (the question or an answer) ------------------------------------------

  // ---- revisions: who changed what, when and why ------------------------------------

  function revisionItem(revision, number, lang) {
    var text = [];
    if (revision.title) text.push(el("p", { class: "cm-revision__title", text: revision.title }));
    text.push(el("pre", { class: "cm-revision__body", text: revision.body }));
    if (revision.tags && revision.tags.length) {
      text.push(el("p", { class: "cm-revision__tags" }, C.compose(t("revisions.tags"), {
        tags: el("span", { class: "cm-tags" }, revision.tags.map(C.tagLink))
      })));
    }
    return el("li", { class: "cm-revision" }, [
      el("p", { class: "cm-revision__head" }, [
        el("strong", { text: t("revisions.number", { number: C.number(number) }) }), " · ",
        C.member(revision.author), " · ", C.time(revision.created_at)
      ]),
      el("p", { class: "cm-revision__reason" }, revision.reason
        ? t("revisions.reason", { reason: revision.reason })
        : t("revisions.no_reason")),
      el("div", { class: "cm-revision__text", lang: lang }, text)
    ]);
  }

  // "edited 3 hours ago" opens the post's history (GET .../revisions), loaded when first asked.
  function revisions(path, post, lang) {
    var panel = el("div", { class: "cm-revisions", id: C.id("revisions"), hidden: true });
    var toggle = el("button", {
      type: "button",
      class: "cm-link-button cm-edited",
      "aria-expanded": "false",
      "aria-controls": panel.id
    }, C.compose(t("post.edited"), { time: C.time(post.updated_at) }));
    var label = el("span", { class: "cm-revisions__toggle", text: " · " + t("revisions.show") });
    toggle.appendChild(label);
    var loaded = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      label.textContent = " · " + t(open ? "revisions.hide" : "revisions.show");
      panel.hidden = !open;
      if (!open || loaded) return;
      loaded = true;
      panel.setAttribute("aria-busy", "true");
      panel.textContent = t("cm.loading");
      C.api("GET", path + "/revisions").then(function (page) {
        panel.textContent = "";
        C.append(panel, [
          el("h3", { class: "cm-revisions__title", text: t("revisions.title") }),
          page.items.length
            ? el("ol", { class: "cm-revisions__list", reversed: true }, page.items.map(function (revision, index) {
              return revisionItem(revision, page.items.length - index, lang);
            }))
            : el("p", { text: t("revisions.none") })
        ]);
      }, function (error) {
        loaded = false;
        panel.textContent = "";
        panel.appendChild(el("p", { class: "cm-inline-problem", role: "alert", text: error.detail }));
      }).then(function () { panel.removeAttribute("aria-busy"); });
    });
    return { toggle: toggle, panel: panel };
  }

  function byline(kind, post, path, lang) {
    var parts = [C.compose(t(kind === "question" ? "question.asked" : "answer.answered"), {
      time: C.time(post.created_at), author: C.member(post.author)
    })];
    var history = null;
    if (post.updated_at && post.updated_at !== post.created_at) {
      history = revisions(path, post, lang);
      parts.push(history.toggle);
    }
    var line = el("div", { class: "cm-byline" }, parts);
    line.history = history && history.panel;
    return line;
  }

  function postCard(kind, post, path, user, extras) {
    var card = null;
    var body = el("div", { class: "cm-body", lang: extras.lang });
    body.innerHTML = post.body_html; // sanitised by the API
    var moderation = window.portalModeration;
    var actions = el("div", { class: "cm-post__actions" }, (extras.actions || []).concat(
      moderation ? moderation.actions(kind, post, path, user, extras.reload, extras.question) : []
    ));
    var credit = byline(kind, post, path, extras.lang);
    var main = el("div", { class: "cm-post__main" }, [
      extras.badge || null,
      moderation ? moderation.notices(kind, post) : null,
      body,
      extras.tags || null,
      el("div", { class: "cm-post__footer" }, [actions, credit]),
      credit.history,
      comments(post.comments || [], path, user)
    ]);
    card = el("article", {
      class: "cm-post cm-post--" + kind,
      id: kind + "-" + post.id,
      tabindex: "-1",
      "aria-label": extras.label
    }, [
      voteControl(kind, post, path, user, function () { return card; }),
      main
    ]);
    if (post.viewer && post.viewer.can_edit) {
      var edit = el("button", {
        type: "button",
        class: "cm-link-button",
        text: t("edit.button"),
        "aria-label": t("edit.label." + kind),
        onclick: function () {
          var form = editForm(kind, post, path, extras.edited, function () {
            form.replaceWith(main);
            edit.focus();
          });
          main.replaceWith(form);
          form.querySelector("input, textarea").focus();
        }
      });
      actions.appendChild(edit);
    }
    return card;
  }

  // ---- the whole thread --------------------------------------------------------------

  C.widget("question", function (node) {
    var id = C.param("id");
    var heading = document.querySelector("article h1");
    var pageTitle = heading ? heading.textContent : "";
    if (!/^[1-9][0-9]*$/.test(id || "")) {
      return missing(node, t("question.none"));
    }
    node.setAttribute("aria-busy", "true");
    node.appendChild(el("p", { class: "cm-summary-line", text: t("cm.loading") }));
    Promise.all([
      C.api("GET", "/questions/" + id),
      C.session().catch(function () { return { user: null }; })
    ]).then(function (results) {
      render(node, results[0], results[1].user);
      var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }, function (error) {
      node.textContent = "";
      if (error.status === 404) return missing(node, error.detail);
      C.append(node, el("div", { class: "cm-problem", role: "alert" }, [
        el("p", { text: error.detail }),
        el("button", { type: "button", class: "md-button", text: t("cm.retry"), onclick: function () { location.reload(); } })
      ]));
    }).then(function () { node.removeAttribute("aria-busy"); });

    function missing(place, message) {
      C.append(place, el("div", { class: "cm-notice" }, [
        el("p", { text: message }),
        el("a", { class: "md-button", href: C.href("questions"), text: t("question.back") })
      ]));
    }

    function render(place, question, user) {
      place.textContent = "";
      if (heading) {
        heading.textContent = question.title;
        heading.setAttribute("lang", question.lang);
        if (pageTitle) document.title = document.title.replace(pageTitle, question.title);
      }
      var path = "/questions/" + question.id;
      var answers = [];

      function rerender(updated, focusId) {
        render(place, updated, user);
        var target = document.getElementById(focusId);
        if (target) target.focus();
      }

      // After a moderator's action: the question as it is now, focus kept on the post.
      function reload(focusId) {
        return function () {
          C.api("GET", path).then(function (updated) { rerender(updated, focusId); }, function (error) {
            if (error.status === 404) location.reload();
          });
        };
      }

      // ---- follow
      var following = question.viewer.following;
      var follow = el("button", { type: "button", class: "cm-link-button cm-follow", "aria-pressed": String(following), text: t("question.follow") });
      follow.addEventListener("click", function () {
        if (!user) return location.assign(C.loginHref(null, "follow"));
        var wanted = !following;
        following = wanted;
        follow.setAttribute("aria-pressed", String(wanted));
        C.api("PUT", path + "/follow", { following: wanted }).then(function (result) {
          following = result.following;
          follow.setAttribute("aria-pressed", String(following));
          C.announce(t(following ? "question.followed" : "question.unfollowed"));
        }, function (error) {
          following = !wanted;
          follow.setAttribute("aria-pressed", String(following));
          if (!error.redirecting) flash(questionCard, error.detail);
        });
      });

      var questionCard = postCard("question", question, path, user, {
        label: t("question.label"),
        lang: question.lang,
        actions: [follow],
        tags: el("div", { class: "cm-meta" }, [
          el("span", { class: "cm-tags" }, question.tags.map(C.tagLink)),
          question.lang !== C.lang ? el("span", { class: "cm-lang", lang: question.lang, text: C.languageName(question.lang) }) : null,
          el("span", { class: "cm-views", text: C.plural("cm.views", question.view_count) })
        ]),
        edited: function (updated) { rerender(updated, "question-" + question.id); },
        reload: reload("question-" + question.id)
      });

      // ---- answers
      var accepted = question.accepted_answer_id;
      var count = el("h2", { class: "cm-answers__title", id: "answers" });
      var list = el("div", { class: "cm-answers__list" });

      function showAccepted() {
        answers.forEach(function (entry) {
          var on = entry.answer.id === accepted;
          entry.card.classList.toggle("cm-post--accepted", on);
          entry.badge.hidden = !on;
          // The asker's button says what it will do: accept this one, or take it back.
          if (entry.accept) entry.accept.lastChild.textContent = t(on ? "answer.unaccept" : "answer.accept");
        });
      }

      function accept(answerId) {
        var before = accepted;
        accepted = accepted === answerId ? null : answerId;
        showAccepted();
        C.api("PUT", path + "/accepted-answer", { answer_id: accepted }).then(function (result) {
          accepted = result.accepted_answer_id;
          showAccepted();
          C.announce(t(accepted ? "answer.accepted.done" : "answer.accepted.undone"));
          if (C.awards) C.awards.soon();
        }, function (error) {
          accepted = before;
          showAccepted();
          var entry = answers.filter(function (item) { return item.answer.id === answerId; })[0];
          if (!error.redirecting && entry) flash(entry.card, error.detail);
        });
      }

      function addAnswer(answer) {
        var entry = { answer: answer };
        entry.badge = el("p", { class: "cm-accepted-badge", hidden: true }, [glyph("✓"), " ", t("answer.accepted")]);
        var actions = [];
        if (question.viewer.can_accept) {
          entry.accept = el("button", { type: "button", class: "cm-link-button cm-accept" }, [glyph("✓"), " ", el("span", { text: t("answer.accept") })]);
          entry.accept.addEventListener("click", function () { accept(answer.id); });
          actions.push(entry.accept);
        }
        entry.card = postCard("answer", answer, "/answers/" + answer.id, user, {
          label: t("answer.label", { author: answer.author.username }),
          lang: question.lang,
          badge: entry.badge,
          actions: actions,
          reload: reload("answer-" + answer.id),
          question: question,
          edited: function (updated) {
            var index = answers.indexOf(entry);
            var fresh = addAnswer(updated);
            answers.pop(); // addAnswer appended it; put it where the old one was
            answers.splice(index, 1, fresh);
            entry.card.replaceWith(fresh.card);
            showAccepted();
            fresh.card.focus();
          }
        });
        answers.push(entry);
        return entry;
      }

      function showCount() {
        count.textContent = C.plural("cm.answers", answers.length);
      }

      question.answers.forEach(function (answer) { list.appendChild(addAnswer(answer).card); });
      showAccepted();
      showCount();

      C.append(place, [
        window.portalModeration ? window.portalModeration.questionNotices(question) : null,
        questionCard,
        el("section", { class: "cm-answers", "aria-labelledby": "answers" }, [
          count,
          answers.length ? null : el("p", { class: "cm-summary-line", text: t("answer.none") }),
          list
        ]),
        answerForm(question, user, function (answer) {
          var empty = place.querySelector(".cm-answers > .cm-summary-line");
          if (empty) empty.remove();
          var entry = addAnswer(answer);
          list.appendChild(entry.card);
          showCount();
          showAccepted();
          following = true; // answerers follow the question
          follow.setAttribute("aria-pressed", "true");
          entry.card.focus();
          C.announce(t("answer.done"));
          if (C.awards) C.awards.soon();
        })
      ]);
    }
  });

  function answerForm(question, user, added) {
    var section = el("section", { class: "cm-answer-form", "aria-labelledby": "your-answer" }, [
      el("h2", { id: "your-answer", text: t("answer.yours") })
    ]);
    if (!user) {
      section.appendChild(el("p", { class: "cm-notice" }, signInLinks("answer.signin", "answer")));
      return section;
    }
    var saved = C.keptDraft("answer." + question.id);
    var input = C.withPreview(C.field({ name: "body", multiline: true, rows: 8, label: t("answer.body"), hint: t("cm.markdown"), value: saved.load().body || "" }), question.lang);
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: t("answer.submit") });
    var restored = C.draftNotice(saved, [{ name: "body", control: input.control }]);
    var form = el("form", { class: "cm-form", novalidate: true }, [restored, input, box, el("div", { class: "cm-actions" }, [submit])]);
    input.control.addEventListener("input", function () { saved.save({ body: input.control.value }); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      C.clearProblems(form, box);
      input.showWriting();
      C.busy(submit, true);
      C.api("POST", "/questions/" + question.id + "/answers", { body: input.control.value }).then(function (answer) {
        saved.clear();
        input.control.value = "";
        restored.hidden = true;
        C.busy(submit, false);
        added(answer);
      }, function (error) {
        C.busy(submit, false);
        if (!error.redirecting) C.showProblem(error, box, form);
      });
    });
    section.appendChild(form);
    return section;
  }
})();
