// The member's own account: settings (email, emailed notifications, a new password, signing
// out everywhere), asking for a password-reset link, and choosing a new password with it.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  // A form with the portal's look: its fields, a "Show passwords" box when it has any, the
  // problem box and the submit button. send(values) returns a promise; done(result) follows.
  function form(spec) {
    var box = C.problemBox();
    var submit = el("button", { type: "submit", class: "md-button md-button--primary", text: spec.submit });
    var node = el("form", { class: "cm-form", novalidate: true, "aria-label": spec.label });
    spec.fields.forEach(function (item) { node.appendChild(C.field(item)); });
    var secret = spec.fields.filter(function (item) { return item.type === "password"; }).length;
    C.append(node, [
      secret ? C.showPasswords(node, t(secret > 1 ? "password.show" : "account.show_password")) : null,
      box,
      el("div", { class: "cm-actions" }, [submit].concat(spec.aside || []))
    ]);
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = {};
      spec.fields.forEach(function (item) {
        var value = node.elements[item.name].value;
        values[item.name] = item.type === "password" ? value : value.trim(); // spaces in a password are the owner's
      });
      C.clearProblems(node, box);
      var refused = spec.check ? spec.check(values) : null;
      if (refused) return C.showProblem(refused, box, node);
      C.busy(submit, true);
      spec.send(values).then(function (result) {
        C.busy(submit, false);
        spec.done(result, values);
      }, function (error) {
        C.busy(submit, false);
        if (error.redirecting) return;
        if (!spec.failed || !spec.failed(error)) C.showProblem(error, box, node);
      });
    });
    node.box = box;
    return node;
  }

  // The new password typed twice must be the same: a problem shown like the API's own.
  function sameTwice(name, repeat) {
    return function (values) {
      if (values[name] === values[repeat]) return null;
      var message = t("password.mismatch");
      return { status: 0, detail: message, errors: [{ field: repeat, message: message }] };
    };
  }

  function newPasswordFields(name) {
    return [
      { name: name, type: "password", label: t("password.new"), hint: t("signup.password.hint"), attrs: { autocomplete: "new-password" } },
      { name: name + "_again", type: "password", label: t("password.repeat"), attrs: { autocomplete: "new-password" } }
    ];
  }

  // A confirmation that replaces a form, focused so it is read out.
  function notice(children) {
    return el("div", { class: "cm-notice", role: "status", tabindex: "-1" }, children);
  }

  function replaceWith(old, box) {
    old.replaceWith(box);
    box.focus();
  }

  function section(id, title, children) {
    return el("section", { class: "cm-section cm-settings", "aria-labelledby": id }, [el("h2", { id: id, text: title })].concat(children));
  }

  function loadProblem(node, error) {
    if (error.redirecting) return;
    C.append(node, el("div", { class: "cm-problem", role: "alert" }, [
      el("p", { text: error.detail }),
      el("button", { type: "button", class: "md-button", text: t("cm.retry"), onclick: function () { location.reload(); } })
    ]));
  }

  // ---- forgotten password: ask for a link ------------------------------------------

  C.widget("forgot-password", function (node) {
    var ask = form({
      label: t("forgot.title"),
      submit: t("forgot.submit"),
      fields: [{ name: "email", type: "email", label: t("settings.email.label"), attrs: { autocomplete: "email", required: "" } }],
      send: function (values) {
        return C.api("POST", "/password-resets", { email: values.email }, { signIn: false });
      },
      // The same words whether or not an account has the address: the API says no more.
      done: function (result, values) {
        replaceWith(ask, notice([
          el("p", { text: t("forgot.sent", { email: values.email }) }),
          el("a", { href: C.href("login"), text: t("account.signin") })
        ]));
      }
    });
    C.append(node, ask);
  });

  // ---- choosing a new password with the emailed link -------------------------------

  C.widget("reset-password", function (node) {
    var token = C.param("token");
    var askAgain = el("a", { class: "md-button", href: C.href("forgot"), text: t("reset.ask_new") });
    if (!token) {
      C.append(node, el("div", { class: "cm-notice" }, [el("p", { text: t("reset.no_token") }), askAgain]));
      return;
    }
    var fields = newPasswordFields("password");
    var choose = form({
      label: t("reset.title"),
      submit: t("reset.submit"),
      fields: fields,
      check: sameTwice("password", "password_again"),
      send: function (values) {
        return C.api("POST", "/password-resets/confirm", { token: token, password: values.password }, { signIn: false });
      },
      done: function (current) {
        C.setSession(current); // signed in now, with a new CSRF token
        C.restart("account");
        replaceWith(choose, notice([
          el("p", { text: t("reset.done", { name: current.user.username }) }),
          el("div", { class: "cm-actions" }, [
            el("a", { class: "md-button md-button--primary", href: C.href("questions"), text: t("reset.to_community") }),
            el("a", { class: "md-button", href: C.href("account"), text: t("settings.title") })
          ])
        ]));
      },
      // A used, expired or cut-off link cannot work: say so, and offer a new one.
      failed: function (error) {
        var broken = error.errors.some(function (item) { return item.field === "token"; });
        if (error.code !== "reset_link_invalid" && !broken) return false;
        replaceWith(choose, el("div", { class: "cm-problem", role: "alert", tabindex: "-1" }, [
          el("p", { text: broken ? t("reset.broken") : error.detail }),
          askAgain
        ]));
        return true;
      }
    });
    C.append(node, choose);
    choose.elements.password.focus();
  });

  // ---- the member's settings -------------------------------------------------------

  C.widget("account-settings", function (node) {
    node.setAttribute("aria-busy", "true");
    node.appendChild(el("p", { class: "cm-summary-line", text: t("cm.loading") }));
    C.session().then(function (current) {
      if (!current.user) {
        node.textContent = "";
        node.removeAttribute("aria-busy");
        return C.append(node, el("p", { class: "cm-notice" }, C.compose(t("settings.signin"), {
          signin: el("a", { href: C.loginHref(), text: t("account.signin.inline") })
        })));
      }
      return C.api("GET", "/account").then(function (account) {
        node.textContent = "";
        node.removeAttribute("aria-busy");
        C.append(node, [
          el("p", { text: t("account.already", { name: account.username }) }),
          emailSection(account),
          notificationsSection(account),
          passwordSection(),
          everywhereSection()
        ]);
      });
    }).catch(function (error) {
      node.textContent = "";
      node.removeAttribute("aria-busy");
      loadProblem(node, error);
    });
  });

  function status() {
    return el("p", { class: "cm-saved", role: "status" });
  }

  function emailSection(account) {
    var saved = status();
    var change = form({
      label: t("settings.email.heading"),
      submit: t("settings.email.submit"),
      fields: [
        { name: "email", type: "email", label: t("settings.email.label"), hint: t("settings.email.hint"), value: account.email, attrs: { autocomplete: "email", required: "" } },
        { name: "current_password", type: "password", label: t("settings.current_password"), hint: t("settings.email.password_hint"), attrs: { autocomplete: "current-password" } }
      ],
      check: function (values) {
        if (values.email.toLowerCase() !== account.email.toLowerCase()) return null;
        return { status: 0, detail: t("settings.email.same"), errors: [] };
      },
      send: function (values) {
        saved.textContent = "";
        return C.api("PATCH", "/account", { email: values.email, current_password: values.current_password });
      },
      done: function (result) {
        account.email = result.email;
        change.elements.email.value = result.email;
        change.elements.current_password.value = "";
        saved.textContent = t("settings.email.done", { email: result.email });
      }
    });
    return section("cm-settings-email", t("settings.email.heading"), [change, saved]);
  }

  // Saved as soon as it is ticked or unticked; put back if the change was refused.
  function notificationsSection(account) {
    var saved = status();
    var box = C.problemBox();
    var tick = el("input", { type: "checkbox", id: C.id("email-notifications"), "aria-describedby": "cm-settings-notify-hint" });
    tick.checked = account.email_notifications;
    tick.addEventListener("change", function () {
      var wanted = tick.checked;
      C.clearProblems(null, box);
      saved.textContent = "";
      tick.disabled = true;
      C.api("PATCH", "/account", { email_notifications: wanted }).then(function (result) {
        tick.disabled = false;
        tick.checked = result.email_notifications;
        saved.textContent = t(result.email_notifications ? "settings.notify.on" : "settings.notify.off");
      }, function (error) {
        tick.disabled = false;
        tick.checked = !wanted;
        if (!error.redirecting) C.showProblem(error, box, null);
      });
    });
    return section("cm-settings-notify", t("account.notifications"), [
      el("p", { class: "cm-hint", id: "cm-settings-notify-hint", text: t("settings.notify.hint") }),
      el("div", { class: "cm-check cm-check--setting" }, [tick, el("label", { for: tick.id, text: t("settings.notify.label") })]),
      box,
      saved
    ]);
  }

  function passwordSection() {
    var saved = status();
    var change = form({
      label: t("settings.password.form"),
      submit: t("settings.password.submit"),
      fields: [{ name: "current_password", type: "password", label: t("settings.current_password"), attrs: { autocomplete: "current-password" } }]
        .concat(newPasswordFields("new_password")),
      check: sameTwice("new_password", "new_password_again"),
      aside: [el("a", { class: "cm-forgot", href: C.href("forgot"), text: t("forgot.title") })],
      send: function (values) {
        saved.textContent = "";
        return C.api("PUT", "/account/password", { current_password: values.current_password, new_password: values.new_password });
      },
      done: function (current) {
        C.setSession(current); // the session goes on with a new CSRF token
        change.reset();
        saved.textContent = t("settings.password.done");
      }
    });
    return section("cm-settings-password", t("login.password"), [el("p", { text: t("settings.password.intro") }), change, saved]);
  }

  // Asks once more before ending every session, this one too; then the sign-in page says so.
  function everywhereSection() {
    var box = C.problemBox();
    var start = el("button", { type: "button", class: "md-button", text: t("settings.everywhere") });
    var yes = el("button", { type: "button", class: "md-button md-button--primary", text: t("settings.everywhere.yes") });
    var no = el("button", { type: "button", class: "md-button", text: t("cm.cancel") });
    var ask = el("div", { class: "cm-confirm", role: "group", "aria-labelledby": "cm-settings-everywhere-ask", hidden: true }, [
      el("p", { id: "cm-settings-everywhere-ask", text: t("settings.everywhere.confirm") }),
      el("div", { class: "cm-actions" }, [yes, no])
    ]);
    start.addEventListener("click", function () {
      start.hidden = true;
      ask.hidden = false;
      no.focus();
    });
    no.addEventListener("click", function () {
      ask.hidden = true;
      start.hidden = false;
      start.focus();
    });
    yes.addEventListener("click", function () {
      C.clearProblems(null, box);
      C.busy(yes, true);
      C.api("POST", "/account/sign-out-everywhere").then(function () {
        location.assign(C.href("login", { signed_out: "everywhere" }));
      }, function (error) {
        C.busy(yes, false);
        if (!error.redirecting) C.showProblem(error, box, null);
      });
    });
    return section("cm-settings-everywhere", t("settings.everywhere"), [
      el("p", { text: t("settings.everywhere.intro") }),
      start,
      ask,
      box
    ]);
  }
})();
