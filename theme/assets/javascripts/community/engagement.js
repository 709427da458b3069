// Engagement: the leaderboard, quests, rewards (with moderators' hand-overs) and the toast
// that tells a member of a badge or quest they have just earned. The programme itself is
// site_config/gamification.yml; the API names everything in the page's language.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  // ---- shared pieces -----------------------------------------------------------------

  // A progress bar with its words ("2 of 3" unless told otherwise) beside it.
  function meter(value, max, label, words) {
    return el("div", { class: "cm-meter" }, [
      el("progress", { class: "cm-meter__bar", max: String(max), value: String(Math.min(value, max)), "aria-label": label }),
      el("span", { class: "cm-meter__text", text: words || t("engage.progress", { have: C.number(value), need: C.number(max) }) })
    ]);
  }

  // A list read a page at a time from an API list ({items, next_cursor}) with "Load more".
  function pagedList(spec) {
    var cursor = null;
    var list = el(spec.tag || "ul", { class: spec.class || "cm-rows", "aria-label": spec.label });
    var summary = el("p", { class: "cm-summary-line", "aria-live": "polite" });
    var box = C.problemBox();
    var more = el("button", { type: "button", class: "md-button cm-more", hidden: true, text: t("cm.load_more") });
    function load(append) {
      C.busy(more, true);
      var path = spec.path + (spec.path.indexOf("?") < 0 ? "?" : "&") + "limit=" + (spec.limit || 10)
        + (append && cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      if (!append) summary.textContent = t("cm.loading");
      C.api("GET", path).then(function (page) {
        var before = list.children.length;
        if (!append) list.textContent = "";
        page.items.forEach(function (item) { list.appendChild(spec.render(item)); });
        cursor = page.next_cursor;
        more.hidden = !cursor;
        summary.textContent = list.children.length ? "" : spec.empty;
        if (append) {
          var first = list.children[before] && list.children[before].querySelector("a, button");
          if (first) first.focus();
        }
      }, function (error) {
        summary.textContent = "";
        if (!error.redirecting) C.showProblem(error, box);
      }).then(function () { C.busy(more, false); });
    }
    more.addEventListener("click", function () { load(true); });
    load(false);
    return {
      node: el("div", { class: "cm-paged" }, [summary, box, list, more]),
      list: list,
      reload: function () { load(false); },
      empty: function () { summary.textContent = list.children.length ? "" : spec.empty; }
    };
  }

  function redemptionItem(redemption, moderator) {
    var status = el("span", { class: "cm-chip cm-chip--" + redemption.status, text: t("rewards.status." + redemption.status) });
    var item = el("li", { class: "cm-row" }, [
      el("span", { class: "cm-row__main" }, [
        moderator ? C.compose(t("rewards.pending.for"), { member: C.member(redemption.member), reward: redemption.name }) : redemption.name,
        " ",
        el("span", { class: "cm-row__aside", text: C.plural("engage.points", redemption.cost) })
      ]),
      status,
      C.time(redemption.fulfilled_at || redemption.created_at)
    ]);
    item.status = status;
    return item;
  }

  function signInNotice(key) {
    return el("p", { class: "cm-notice" }, C.compose(t(key), {
      signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") }),
      signup: el("a", { href: C.href("signup", { next: C.here() }), text: t("account.signup.inline") })
    }));
  }

  function loadError(node, error) {
    C.append(node, el("div", { class: "cm-problem", role: "alert" }, [
      el("p", { text: error.detail }),
      el("button", { type: "button", class: "md-button", text: t("cm.retry"), onclick: function () { location.reload(); } })
    ]));
  }

  function signedIn() {
    return C.session().then(function (current) { return current.user; }, function () { return null; });
  }

  C.meter = meter;
  C.pagedList = pagedList;
  C.redemptionItem = redemptionItem;

  // ---- the leaderboard ---------------------------------------------------------------

  var PERIODS = ["week", "month", "all"];

  C.widget("leaderboard", function (node) {
    var query = new URLSearchParams(location.search);
    var state = {
      period: PERIODS.indexOf(query.get("period")) >= 0 ? query.get("period") : "week",
      tag: (query.get("tag") || "").trim().toLowerCase().replace(/^#/, "")
    };
    var panelId = C.id("board");
    var tabs = el("div", { class: "cm-tabs", role: "tablist", "aria-label": t("board.periods") },
      PERIODS.map(function (period) {
        return el("button", {
          type: "button",
          role: "tab",
          class: "cm-tab",
          id: panelId + "-" + period,
          "aria-controls": panelId,
          "data-period": period,
          text: t("board.period." + period),
          onclick: function () { choose(period); }
        });
      }));
    // Arrow keys move between the tabs, as in any tab list.
    tabs.addEventListener("keydown", function (event) {
      var at = PERIODS.indexOf(state.period);
      var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: PERIODS.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      choose(PERIODS[(to + PERIODS.length) % PERIODS.length]);
      tabs.querySelector('[data-period="' + state.period + '"]').focus();
    });

    var tagField = C.field({ name: "tag", label: t("board.tag"), hint: t("board.tag.hint"), value: state.tag, attrs: { autocomplete: "off", maxlength: "30" } });
    var clear = el("button", { type: "button", class: "md-button", text: t("board.tag.clear"), onclick: function () {
      tagField.control.value = "";
      state.tag = "";
      reload();
    } });
    var filters = el("form", { class: "cm-filters", role: "search", "aria-label": t("board.tag") }, [
      tagField,
      el("div", { class: "cm-actions" }, [el("button", { type: "submit", class: "md-button", text: t("board.tag.apply") }), clear])
    ]);
    filters.addEventListener("submit", function (event) {
      event.preventDefault();
      state.tag = tagField.control.value.trim().toLowerCase().replace(/^#/, "");
      reload();
    });

    var you = el("p", { class: "cm-you", hidden: true });
    var summary = el("p", { class: "cm-summary-line", "aria-live": "polite" });
    var box = C.problemBox();
    var body = el("tbody");
    var caption = el("caption", { class: "cm-sr-only" });
    var table = el("table", { class: "cm-board" }, [
      caption,
      el("thead", null, el("tr", null, [
        el("th", { scope: "col", text: t("board.rank") }),
        el("th", { scope: "col", text: t("board.member") }),
        el("th", { scope: "col", text: t("board.level") }),
        el("th", { scope: "col", text: t("board.points") })
      ])),
      body
    ]);
    var panel = el("div", { role: "tabpanel", id: panelId, class: "cm-board__panel" }, [you, summary, box, el("div", { class: "cm-scroll" }, table)]);
    C.append(node, [el("div", { class: "cm-toolbar" }, [tabs]), filters, panel]);

    function choose(period) {
      if (period === state.period) return;
      state.period = period;
      reload();
    }

    function reload() {
      var params = new URLSearchParams();
      if (state.period !== "week") params.set("period", state.period);
      if (state.tag) params.set("tag", state.tag);
      var search = params.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
      load();
    }

    function load() {
      tabs.querySelectorAll("[role=tab]").forEach(function (tab) {
        var on = tab.getAttribute("data-period") === state.period;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
        if (on) panel.setAttribute("aria-labelledby", tab.id);
      });
      clear.hidden = !state.tag;
      var heading = state.tag
        ? t("board.caption.tag", { period: t("board.period." + state.period), tag: state.tag })
        : t("board.period." + state.period);
      caption.textContent = heading;
      summary.textContent = t("cm.loading");
      box.hidden = true;
      panel.setAttribute("aria-busy", "true");
      var params = new URLSearchParams({ period: state.period, limit: "20" });
      if (state.tag) params.set("tag", state.tag);
      Promise.all([C.api("GET", "/leaderboard?" + params.toString()), signedIn()]).then(function (results) {
        var board = results[0];
        var user = results[1];
        var listed = false;
        body.textContent = "";
        board.items.forEach(function (leader) {
          var mine = !!user && leader.user.id === user.id;
          listed = listed || mine;
          body.appendChild(el("tr", { class: mine ? "cm-board__you" : null, "aria-current": mine ? "true" : null }, [
            el("td", { class: "cm-board__rank", text: C.number(leader.rank) }),
            el("td", null, [C.member(leader.user), mine ? el("span", { class: "cm-chip cm-chip--you", text: t("board.you") }) : null]),
            el("td", null, el("span", { class: "cm-level", role: "img", "aria-label": t("engage.level", { level: C.number(leader.level) }), title: t("engage.level", { level: C.number(leader.level) }), text: t("engage.level.short", { level: C.number(leader.level) }) })),
            el("td", { class: "cm-board__points", text: C.number(leader.points) })
          ]));
        });
        table.hidden = !board.items.length;
        summary.textContent = board.items.length ? "" : t(state.tag ? "board.empty.tag" : "board.empty");
        you.hidden = false;
        you.textContent = "";
        if (user && board.viewer_points !== null && board.viewer_points !== undefined) {
          C.append(you, C.plural("board.yours." + state.period, board.viewer_points));
          if (!listed) C.append(you, [" ", t("board.not_listed")]);
        } else if (!user) {
          C.append(you, C.compose(t("board.signin"), { signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") }) }));
        } else {
          you.hidden = true;
        }
      }, function (error) {
        summary.textContent = "";
        C.showProblem(error, box);
      }).then(function () { panel.removeAttribute("aria-busy"); });
    }

    load();
  });

  // ---- quests ------------------------------------------------------------------------

  C.widget("quests", function (node) {
    node.setAttribute("aria-busy", "true");
    node.appendChild(el("p", { class: "cm-summary-line", text: t("cm.loading") }));
    Promise.all([C.api("GET", "/quests"), signedIn()]).then(function (results) {
      var user = results[1];
      node.textContent = "";
      if (!user) node.appendChild(signInNotice("quests.signin"));
      C.append(node, el("ul", { class: "cm-cards", "aria-label": t("quests.list") }, results[0].items.map(function (quest) {
        var done = quest.done;
        return el("li", { class: "cm-card" + (done ? " cm-card--done" : "") }, [
          el("h2", { class: "cm-card__title" }, [
            quest.name, " ",
            el("span", { class: "cm-chip", text: t("quests.every." + quest.every) }),
            done ? el("span", { class: "cm-chip cm-chip--done", text: t("quests.done") }) : null
          ]),
          el("p", { class: "cm-card__text", text: quest.description }),
          quest.progress !== null ? meter(quest.progress, quest.target, t("quests.progress", { name: quest.name })) : null,
          el("p", { class: "cm-card__reward", text: C.plural(done ? "quests.earned" : "quests.reward", quest.reward) })
        ]);
      })));
    }, function (error) {
      node.textContent = "";
      loadError(node, error);
    }).then(function () { node.removeAttribute("aria-busy"); });
  });

  // ---- rewards -----------------------------------------------------------------------

  C.widget("rewards", function (node) {
    node.setAttribute("aria-busy", "true");
    node.appendChild(el("p", { class: "cm-summary-line", text: t("cm.loading") }));
    Promise.all([C.api("GET", "/rewards"), signedIn()]).then(function (results) {
      node.textContent = "";
      render(results[0], results[1]);
    }, function (error) {
      node.textContent = "";
      loadError(node, error);
    }).then(function () { node.removeAttribute("aria-busy"); });

    function render(catalogue, user) {
      var balance = catalogue.balance;
      var history = null;
      var balanceLine = el("p", { class: "cm-balance", "aria-live": "polite" });
      var cards = [];

      function showBalance() {
        balanceLine.textContent = C.plural("rewards.balance", balance);
        cards.forEach(function (card) { card.update(); });
      }

      function card(reward) {
        var id = C.id("reward");
        var left = el("span", { class: "cm-row__aside" });
        var why = el("p", { class: "cm-card__why", id: id + "-why" });
        var box = el("p", { class: "cm-inline-problem", role: "alert", hidden: true });
        var done = el("p", { class: "cm-card__done", role: "status", hidden: true });
        var redeem = el("button", { type: "button", class: "md-button md-button--primary", text: t("rewards.redeem"), "aria-describedby": why.id });
        var confirm = el("button", { type: "button", class: "md-button md-button--primary", text: t("rewards.confirm") });
        var cancel = el("button", { type: "button", class: "md-button", text: t("cm.cancel") });
        var asking = el("div", { class: "cm-card__confirm", hidden: true }, [
          el("p", { text: t("rewards.confirm.text", { name: reward.name, cost: C.plural("engage.points", reward.cost) }) }),
          el("div", { class: "cm-actions" }, [confirm, cancel])
        ]);
        var actions = el("div", { class: "cm-actions" }, user
          ? [redeem]
          : [el("a", { class: "md-button", href: C.loginHref(), text: t("rewards.signin") })]);
        var item = el("li", { class: "cm-card" }, [
          el("h2", { class: "cm-card__title", text: reward.name }),
          el("p", { class: "cm-card__text", text: reward.description }),
          el("p", { class: "cm-card__reward" }, [C.plural("engage.points", reward.cost), " · ", left]),
          actions, why, asking, box, done
        ]);
        item.update = function () {
          left.textContent = reward.left ? C.plural("rewards.left", reward.left) : t("rewards.none_left");
          var reason = !reward.left ? t("rewards.why.stock")
            : user && balance < reward.cost ? C.plural("rewards.why.short", reward.cost - balance) : "";
          why.textContent = reason;
          why.hidden = !reason;
          redeem.disabled = !!reason;
        };
        redeem.addEventListener("click", function () {
          box.hidden = done.hidden = true;
          asking.hidden = false;
          actions.hidden = true;
          confirm.focus();
        });
        cancel.addEventListener("click", function () {
          asking.hidden = true;
          actions.hidden = false;
          redeem.focus();
        });
        confirm.addEventListener("click", function () {
          C.busy(confirm, true);
          box.hidden = true;
          C.api("POST", "/redemptions", { reward: reward.id }).then(function (made) {
            balance -= made.cost;
            reward.left = Math.max(0, reward.left - 1);
            done.textContent = t("rewards.done", { name: made.name });
            done.hidden = false;
            if (history) history.reload();
            showBalance();
          }, function (error) {
            if (error.redirecting) return;
            box.textContent = error.detail;
            box.hidden = false;
          }).then(function () {
            C.busy(confirm, false);
            asking.hidden = true;
            actions.hidden = false;
            (redeem.disabled ? item.querySelector("h2") : redeem).focus();
          });
        });
        item.querySelector("h2").tabIndex = -1;
        cards.push(item);
        return item;
      }

      var list = el("ul", { class: "cm-cards", "aria-label": t("rewards.list") }, catalogue.items.map(card));
      if (user) {
        showBalance();
        C.append(node, [balanceLine, list]);
        history = pagedList({
          path: "/redemptions",
          label: t("rewards.history"),
          empty: t("rewards.history.empty"),
          render: function (item) { return redemptionItem(item, false); }
        });
        C.append(node, el("section", { class: "cm-section", "aria-labelledby": "cm-rewards-history" }, [
          el("h2", { id: "cm-rewards-history", text: t("rewards.history") }),
          history.node
        ]));
        if (C.isStaff(user)) node.appendChild(pending());
      } else {
        cards.forEach(function (item) { item.update(); });
        C.append(node, [signInNotice("rewards.signin.text"), list]);
      }
    }

    // Moderators: redemptions waiting to be handed over, each with "Mark fulfilled".
    function pending() {
      var waiting = pagedList({
        path: "/redemptions/pending",
        label: t("rewards.pending"),
        empty: t("rewards.pending.empty"),
        render: function (redemption) {
          var item = redemptionItem(redemption, true);
          var mark = el("button", { type: "button", class: "md-button", text: t("rewards.fulfil"), "aria-label": t("rewards.fulfil.label", { member: redemption.member.username, reward: redemption.name }) });
          mark.addEventListener("click", function () {
            C.busy(mark, true);
            C.api("POST", "/redemptions/" + redemption.id + "/fulfilled").then(function () {
              item.status.textContent = t("rewards.status.fulfilled");
              item.status.className = "cm-chip cm-chip--fulfilled";
              mark.remove();
              C.announce(t("rewards.fulfilled.done", { member: redemption.member.username, reward: redemption.name }));
            }, function (error) {
              C.busy(mark, false);
              if (!error.redirecting) C.announce(error.detail);
              if (!error.redirecting) item.appendChild(el("p", { class: "cm-inline-problem", role: "alert", text: error.detail }));
            });
          });
          item.appendChild(mark);
          return item;
        }
      });
      return el("section", { class: "cm-section", "aria-labelledby": "cm-rewards-pending" }, [
        el("h2", { id: "cm-rewards-pending", text: t("rewards.pending") }),
        waiting.node
      ]);
    }
  });

  // ---- "you earned a badge" ----------------------------------------------------------

  var TOASTED = "portal.toasted";
  var AWARDS = ["badge", "quest"];
  var toast = null;
  var timers = [];

  function toastedIds() {
    try { return JSON.parse(localStorage.getItem(TOASTED)) || []; } catch (e) { return []; }
  }

  function remember(ids) {
    try {
      localStorage.setItem(TOASTED, JSON.stringify(toastedIds().concat(ids).slice(-200)));
    } catch (e) { /* storage off: the toast may come again, no harm */ }
  }

  function awardText(award) {
    if (award.kind === "badge") return t("engage.earned." + (award.tier || "bronze"), { name: award.name });
    return C.plural("engage.quest_done", award.points, { name: award.name });
  }

  function closeToast() {
    if (!toast) return;
    toast.remove();
    toast = null;
    document.removeEventListener("keydown", onKey);
  }

  function onKey(event) {
    if (event.key === "Escape" && !event.defaultPrevented) closeToast();
  }

  // Unread badge and quest notifications not shown before, as one polite toast.
  function showAwards(notes, user) {
    var seen = toastedIds();
    var fresh = (notes || []).filter(function (note) {
      return AWARDS.indexOf(note.kind) >= 0 && note.award && !note.read && seen.indexOf(note.id) < 0;
    });
    if (!fresh.length) return;
    remember(fresh.map(function (note) { return note.id; }));
    if (!toast) {
      var items = el("ul", { class: "cm-toast__list" });
      var link = el("a", { class: "cm-toast__link", href: C.href("profile", { id: user.id }), text: t("toast.see") });
      toast = el("div", { class: "cm-toast", role: "status", "aria-live": "polite" }, [
        el("div", { class: "cm-toast__body" }, [el("p", { class: "cm-toast__title", text: t("toast.title") }), items, link]),
        el("button", { type: "button", class: "cm-toast__close", "aria-label": t("toast.close"), title: t("toast.close"), onclick: closeToast }, el("span", { "aria-hidden": "true", text: "×" }))
      ]);
      toast.items = items;
      toast.ids = [];
      // Seeing the badges is reading the news: mark these read, then follow the link.
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
        event.preventDefault();
        C.api("POST", "/notifications/read", { ids: toast.ids }).catch(function () {}).then(function () {
          location.assign(link.href);
        });
      });
      document.body.appendChild(toast);
      document.addEventListener("keydown", onKey);
    }
    var target = toast;
    // A moment after the live region exists, so screen readers announce what arrives.
    setTimeout(function () {
      fresh.forEach(function (note) {
        target.ids.push(note.id);
        target.items.appendChild(el("li", { text: awardText(note.award) }));
      });
    }, 100);
  }

  function checkAwards() {
    return signedIn().then(function (user) {
      if (!user) return;
      return C.api("GET", "/notifications?limit=20", undefined, { signIn: false }).then(function (list) {
        if (C.showUnread) C.showUnread(list.unread);
        showAwards(list.items, user);
      });
    }).catch(function () { /* a nicety: never in the way */ });
  }

  C.awards = {
    show: showAwards,
    check: checkAwards,
    // After something that may earn a badge: the awards consumer runs a moment later.
    soon: function () {
      timers.forEach(clearTimeout);
      timers = [2000, 6000, 15000].map(function (wait) { return setTimeout(checkAwards, wait); });
    }
  };
})();
