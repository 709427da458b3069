// A member's profile (?id=; without it, the reader's own): level and points, badges earned
// and the nearest ones to earn, their questions; for the member themself (and moderators)
// the points entry by entry, and for the member their balance and redemptions.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  function signed(points) {
    return (points > 0 ? "+" : points < 0 ? "−" : "") + C.number(Math.abs(points));
  }

  // "asked", or "upvoted:withdrawn": what earned (or cost) the points, and what undid them.
  function reasonText(reason) {
    var parts = String(reason).split(":");
    var act = t("points.reason." + parts[0]);
    return parts[1] ? t("points.undone", { act: act, undo: t("points.undo." + parts[1]) }) : act;
  }

  function section(id, title, children) {
    return el("section", { class: "cm-section", "aria-labelledby": id }, [el("h2", { id: id, text: title })].concat(children));
  }

  C.widget("profile", function (node) {
    var heading = document.querySelector("article h1");
    var pageTitle = heading ? heading.textContent : "";
    var id = C.param("id");
    node.setAttribute("aria-busy", "true");
    node.appendChild(el("p", { class: "cm-summary-line", text: t("cm.loading") }));
    C.session().catch(function () { return { user: null }; }).then(function (current) {
      var user = current.user;
      if (!id && user) id = String(user.id); // "My profile"
      if (!/^[1-9][0-9]*$/.test(id || "")) {
        node.textContent = "";
        return user ? missing(t("profile.none")) : node.appendChild(el("p", { class: "cm-notice" }, C.compose(t("profile.signin"), {
          signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") })
        })));
      }
      return C.api("GET", "/users/" + id).then(function (profile) {
        node.textContent = "";
        render(profile, user);
      }, function (error) {
        node.textContent = "";
        if (error.status === 404) return missing(error.detail);
        C.append(node, el("div", { class: "cm-problem", role: "alert" }, [
          el("p", { text: error.detail }),
          el("button", { type: "button", class: "md-button", text: t("cm.retry"), onclick: function () { location.reload(); } })
        ]));
      });
    }).then(function () { node.removeAttribute("aria-busy"); });

    function missing(message) {
      C.append(node, el("div", { class: "cm-notice" }, [
        el("p", { text: message }),
        el("a", { class: "md-button", href: C.href("leaderboard"), text: t("profile.to_leaderboard") })
      ]));
    }

    function render(profile, user) {
      var own = !!user && user.id === profile.id;
      var standing = profile.standing;
      var level = standing.level;
      var next = standing.next_level;
      if (heading) {
        heading.textContent = profile.username;
        if (pageTitle) document.title = document.title.replace(pageTitle, profile.username);
      }

      // ---- who, and where they stand
      var counts = C.TIERS.filter(function (tier) { return standing.badge_counts[tier] > 0; }).map(function (tier) {
        return el("span", { class: "cm-badge-count cm-badge-count--" + tier }, [
          el("span", { class: "cm-dot", "aria-hidden": "true" }), C.plural("engage.badges." + tier, standing.badge_counts[tier])
        ]);
      });
      var progress = next
        ? C.meter(
          standing.reputation - level.points,
          next.points - level.points,
          t("profile.progress", { level: C.number(next.number) }),
          C.plural("profile.to_next", standing.points_to_next_level, { level: C.number(next.number), name: next.name })
        )
        : el("p", { class: "cm-meter__text", text: t("profile.top_level") });
      C.append(node, el("div", { class: "cm-profile" }, [
        el("p", { class: "cm-profile__meta" }, [
          el("span", { class: "cm-chip", text: t("profile.role." + profile.role) }),
          " ",
          C.compose(t("profile.joined"), { date: C.day(profile.created_at) })
        ]),
        el("div", { class: "cm-profile__standing" }, [
          el("p", { class: "cm-profile__level" }, [
            el("span", { class: "cm-level cm-level--big", "aria-hidden": "true", text: t("engage.level.short", { level: C.number(level.number) }) }),
            " ",
            el("strong", { text: t("profile.level", { level: C.number(level.number), name: level.name }) }),
            " · ",
            C.plural("engage.points", standing.reputation)
          ]),
          progress,
          counts.length ? el("p", { class: "cm-profile__badges" }, counts) : null
        ]),
        el("p", { class: "cm-profile__posts" }, [
          C.plural("profile.questions", profile.question_count),
          " · ",
          C.plural("cm.answers", profile.answer_count),
          profile.question_count ? " · " : null,
          profile.question_count
            ? el("a", { href: C.href("questions", { author: profile.id }), text: t(own ? "profile.questions.own" : "profile.questions.link", { name: profile.username }) })
            : null
        ]),
        own && profile.balance !== null && profile.balance !== undefined
          ? el("p", { class: "cm-balance" }, [
            C.plural("rewards.balance", profile.balance), " ",
            el("a", { href: C.href("rewards"), text: t("profile.to_rewards") }),
            " · ",
            el("a", { href: C.href("account"), text: t("settings.title") })
          ])
          : null
      ]));

      // ---- badges earned, by tier
      var earned = C.TIERS.map(function (tier) {
        var mine = profile.badges.filter(function (badge) { return badge.tier === tier; });
        if (!mine.length) return null;
        return el("div", { class: "cm-tier cm-tier--" + tier }, [
          el("h3", { text: C.plural("engage.badges." + tier, mine.length) }),
          el("ul", { class: "cm-rows" }, mine.map(function (badge) {
            return el("li", { class: "cm-row" }, [
              el("span", { class: "cm-row__main" }, [
                el("span", { class: "cm-dot cm-dot--" + tier, "aria-hidden": "true" }), " ",
                el("strong", { text: badge.name }), " ",
                el("span", { class: "cm-row__aside", text: badge.description })
              ]),
              C.time(badge.at)
            ]);
          }))
        ]);
      }).filter(Boolean);
      node.appendChild(section("cm-profile-badges", t("profile.badges"), earned.length ? earned : [
        el("p", { class: "cm-summary-line" }, [t(own ? "profile.badges.none.own" : "profile.badges.none"), " ",
          el("a", { href: C.href("badges"), text: t("profile.to_badges") })])
      ]));

      // ---- the nearest badges to earn
      if (profile.next_badges.length) {
        node.appendChild(section("cm-profile-next", t("profile.next"), [
          el("ul", { class: "cm-rows" }, profile.next_badges.map(function (badge) {
            return el("li", { class: "cm-row cm-row--meter" }, [
              el("span", { class: "cm-row__main" }, [
                el("span", { class: "cm-dot cm-dot--" + badge.tier, "aria-hidden": "true" }), " ",
                el("strong", { text: badge.name }), " ",
                el("span", { class: "cm-chip", text: t("engage.tier." + badge.tier) })
              ]),
              C.meter(badge.have, badge.need, t("profile.next.label", { name: badge.name, tier: t("engage.tier." + badge.tier) }))
            ]);
          })),
          el("p", null, el("a", { href: C.href("badges"), text: t("profile.to_badges") }))
        ]));
      }

      // ---- points entry by entry: the member and moderators
      if (own || C.isStaff(user)) {
        var history = C.pagedList({
          path: "/users/" + profile.id + "/points",
          label: t("profile.history"),
          empty: t("profile.history.empty"),
          render: function (entry) {
            var amount = entry.points || entry.spendable;
            return el("li", { class: "cm-row" }, [
              el("span", { class: "cm-row__main", text: reasonText(entry.reason) }),
              el("span", { class: "cm-points" + (amount < 0 ? " cm-points--minus" : "") }, [
                C.plural("engage.points.signed", Math.abs(amount), { sign: amount > 0 ? "+" : amount < 0 ? "−" : "" }),
                entry.spendable !== entry.points && entry.points
                  ? el("span", { class: "cm-row__aside", text: " " + t("profile.history.spendable", { points: signed(entry.spendable) }) })
                  : null
              ]),
              C.time(entry.at)
            ]);
          }
        });
        node.appendChild(section("cm-profile-history", t("profile.history"), [history.node]));
      }

      // ---- the member's own redemptions
      if (own) {
        var redemptions = C.pagedList({
          path: "/redemptions",
          label: t("rewards.history"),
          empty: t("rewards.history.empty"),
          render: function (item) { return C.redemptionItem(item, false); }
        });
        node.appendChild(section("cm-profile-redemptions", t("rewards.history"), [redemptions.node]));
      }
    }
  });
})();
