// Accounts: the header's account place, the sign-up form and the sign-in form (the account
// settings and password resets are in account.js).
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  // Where a form sends the reader when done: ?next= (on this site only) or the questions.
  function nextPage() {
    return C.safeNext(C.param("next"), C.href("questions"));
  }

  // Links to the sign-in pages keep the page the reader came from (or was going to).
  function returnTo() {
    var onAccountPage = document.querySelector('[data-widget="login"], [data-widget="signup"]');
    return onAccountPage ? nextPage() : C.here();
  }

  C.widget("account", function (node) {
    function signedOut() {
      C.append(node, [
        el("a", { class: "cm-account__link", href: C.href("login", { next: returnTo() }), text: t("account.signin") }),
        el("a", { class: "cm-account__link cm-account__link--strong", href: C.href("signup", { next: returnTo() }), text: t("account.signup") })
      ]);
    }

    C.session().then(function (current) {
      if (!current.user) return signedOut();
      var count = el("span", { class: "cm-badge", hidden: true });
      var bell = el("a", {
        class: "cm-account__link",
        href: C.href("notifications"),
        "data-notifications": ""
      }, [t("account.notifications"), count]);
      var signOut = el("button", {
        type: "button",
        class: "cm-account__button",
        text: t("account.signout"),
        onclick: function () {
          C.busy(signOut, true);
          C.api("DELETE", "/session").then(function () {
            location.reload();
          }, function (error) {
            C.busy(signOut, false);
            C.announce(error.detail);
          });
        }
      });
      var settings = C.href("account");
      C.append(node, [
        el("a", { class: "cm-account__user", href: C.href("profile", { id: current.user.id }) }, [
          el("span", { class: "cm-sr-only", text: t("account.signed_in_as") + " " }),
          current.user.username
        ]),
        el("a", {
          class: "cm-account__link",
          href: settings,
          "aria-current": location.pathname === settings ? "page" : null,
          text: t("settings.link")
        }),
        bell,
        C.isStaff(current.user) ? el("a", { class: "cm-account__link", href: C.href("dashboard"), text: t("account.dashboard") }) : null,
        signOut
      ]);
      // The unread count, and a toast for badges and quests earned since the last page.
      C.api("GET", "/notifications?limit=20", undefined, { signIn: false }).then(function (list) {
        C.showUnread(list.unread);
        if (C.awards) C.awards.show(list.items, current.user);
      }, function () { /* the count is a nicety; the link still works */ });
    }, signedOut);
  });

  // The header's unread count, also updated by the notifications page as items are read.
  C.showUnread = function (unread) {
    document.querySelectorAll("[data-notifications]").forEach(function (link) {
      var badge = link.querySelector(".cm-badge");
      badge.textContent = C.number(unread);
      badge.hidden = !unread;
      if (unread) link.setAttribute("aria-label", C.plural("account.unread", unread));
      else link.removeAttribute("aria-label");
    });
  };

  function alreadySignedIn(node, user) {
    C.append(node, el("div", { class: "cm-notice" }, [
      el("p", { text: t("account.already", { name: user.username }) }),
      el("a", { class: "md-button md-button--primary", href: nextPage(), text: t("account.continue") })
    ]));
  }

  // One form for both pages: fields, a submit button, and where to go on success.
  function accountForm(node, spec) {
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: spec.submit });
    var form = el("form", { class: "cm-form", novalidate: true, "aria-label": spec.label });
    spec.fields.forEach(function (item) { form.appendChild(C.field(item)); });
    C.append(form, [
      C.showPasswords(form, t("account.show_password")),
      box,
      el("div", { class: "cm-actions" }, [submit].concat(spec.aside || []))
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      spec.fields.forEach(function (item) { body[item.name] = form.elements[item.name].value.trim(); });
      body.password = form.elements.password.value; // spaces in a password are the owner's
      C.clearProblems(form, box);
      C.busy(submit, true);
      spec.send(body).then(function () {
        C.announce(spec.done);
        location.assign(nextPage());
      }, function (error) {
        C.busy(submit, false);
        C.showProblem(error, box, form);
      });
    });
    C.append(node, [form, el("p", { class: "cm-switch" }, spec.other)]);
    return form;
  }

  C.widget("signup", function (node) {
    C.session().then(function (current) {
      if (current.user) return alreadySignedIn(node, current.user);
      var form = accountForm(node, {
        label: t("signup.form"),
        submit: t("signup.submit"),
        done: t("signup.done"),
        fields: [
          { name: "username", label: t("signup.username"), hint: t("signup.username.hint"), attrs: { autocomplete: "username", maxlength: "30" } },
          { name: "email", type: "email", label: t("signup.email"), hint: t("signup.email.hint"), attrs: { autocomplete: "email" } },
          { name: "password", type: "password", label: t("signup.password"), hint: t("signup.password.hint"), attrs: { autocomplete: "new-password" } }
        ],
        send: function (body) {
          return C.api("POST", "/accounts", body, { signIn: false }).then(function () {
            return C.session(true); // signed in now: a new session and a new CSRF token
          });
        },
        other: [t("signup.have_account") + " ", el("a", { href: C.href("login", { next: nextPage() }), text: t("account.signin") })]
      });
      form.elements.username.focus();
    }, function (error) { showLoadError(node, error); });
  });

  var REASONS = ["vote", "comment", "follow", "answer"];

  C.widget("login", function (node) {
    C.session().then(function (current) {
      if (current.user) return alreadySignedIn(node, current.user);
      // Sent here from a question page: why signing in is needed for what they did.
      var why = C.param("why");
      if (REASONS.indexOf(why) >= 0) {
        node.appendChild(el("p", { class: "cm-notice", role: "status", text: t("login.why." + why) }));
      }
      // Sent here by "Sign out everywhere" on the account settings page.
      if (C.param("signed_out") === "everywhere") {
        node.appendChild(el("p", { class: "cm-notice", role: "status", text: t("settings.everywhere.done") }));
      }
      var form = accountForm(node, {
        label: t("login.form"),
        submit: t("login.submit"),
        done: t("login.done"),
        fields: [
          { name: "username", label: t("login.username"), attrs: { autocomplete: "username" } },
          { name: "password", type: "password", label: t("login.password"), attrs: { autocomplete: "current-password" } }
        ],
        send: function (body) {
          return C.api("POST", "/session", body, { signIn: false }).then(C.setSession);
        },
        aside: [el("a", { class: "cm-forgot", href: C.href("forgot"), text: t("forgot.title") })],
        other: [t("login.no_account") + " ", el("a", { href: C.href("signup", { next: nextPage() }), text: t("account.signup") })]
      });
      form.elements.username.focus();
    }, function (error) { showLoadError(node, error); });
  });

  function showLoadError(node, error) {
    C.append(node, el("div", { class: "cm-problem", role: "alert" }, [el("p", { text: error.detail })]));
  }
})();
