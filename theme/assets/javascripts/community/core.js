// What every community widget shares: the page's words, links within this language's site,
// the API client (session, CSRF token, problem documents), relative times and DOM helpers.
// Widgets register with portalCommunity.widget(name, start) and fill [data-widget=name].
(function () {
  "use strict";

  function meta(name) {
    var node = document.querySelector('meta[name="' + name + '"]');
    return node ? node.getAttribute("content") : null;
  }

  var apiBase = (meta("portal:api") || "/api").replace(/\/$/, "");
  var root = new URL(meta("portal:root") || "./", location.href);
  var lang = document.documentElement.lang || "en";
  function pageData(id) {
    try {
      return JSON.parse(document.getElementById(id).textContent);
    } catch (e) {
      return {}; // no words: keys are shown, the page still works
    }
  }

  var words = pageData("portal-ui");
  // The roles that may moderate, from core/roles.py through the page.
  var STAFF = (meta("portal:staff-roles") || "").split(" ").filter(Boolean);
  // The widget pages' addresses, from the build (site_config/widget_pages.py).
  var PAGES = pageData("portal-pages");

  // ---- words -------------------------------------------------------------------------

  function fill(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : all;
    });
  }

  function t(key, vars) {
    return fill(Object.prototype.hasOwnProperty.call(words, key) ? words[key] : key, vars);
  }

  var numbers = new Intl.NumberFormat(lang);
  var pluralRules = new Intl.PluralRules(lang);

  // Plural words are written "one: # answer | other: # answers" (CLDR categories), so each
  // language lists the forms it needs (Russian: one, few, many) in one key; other
  // {placeholders} are filled from vars.
  function plural(key, count, vars) {
    var forms = {};
    t(key).split("|").forEach(function (part) {
      var match = /^\s*(zero|one|two|few|many|other)\s*:\s*([\s\S]*?)\s*$/.exec(part);
      if (match) forms[match[1]] = match[2];
    });
    var text = forms[pluralRules.select(count)] || forms.other || t(key);
    return fill(text.replace(/#/g, numbers.format(count)), vars);
  }

  // A sentence whose {placeholders} are DOM nodes or plain text: user text stays text.
  function compose(template, parts) {
    var fragment = document.createDocumentFragment();
    template.split(/(\{\w+\})/).forEach(function (piece) {
      var match = /^\{(\w+)\}$/.exec(piece);
      var value = match && Object.prototype.hasOwnProperty.call(parts, match[1]) ? parts[match[1]] : piece;
      if (value === "") return;
      fragment.appendChild(value instanceof Node ? value : document.createTextNode(String(value)));
    });
    return fragment;
  }

  // ---- links -------------------------------------------------------------------------

  function href(page, params) {
    var url = new URL(PAGES[page] || page, root);
    Object.keys(params || {}).forEach(function (name) {
      var value = params[name];
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
    });
    return url.pathname + url.search + url.hash;
  }

  function here() {
    return location.pathname + location.search + location.hash;
  }

  // Only addresses on this site: ?next= must never send a reader elsewhere.
  function safeNext(value, fallback) {
    if (value) {
      try {
        var url = new URL(value, location.origin);
        if (url.origin === location.origin && /^https?:$/.test(url.protocol)) {
          // "/.//evil.example" has the path "//evil.example", which a browser would read
          // as another host: one leading slash only.
          return url.pathname.replace(/^\/+/, "/") + url.search + url.hash;
        }
      } catch (e) { /* not an address */ }
    }
    return fallback;
  }

  // why: what the reader was doing ("vote", "comment", "follow", "answer"), so the sign-in
  // page can say why it is needed.
  function loginHref(next, why) {
    return href("login", { next: next || here(), why: why });
  }

  function param(name) {
    return new URLSearchParams(location.search).get(name);
  }

  // ---- API ---------------------------------------------------------------------------

  function ApiError(status, problem, retryAfter) {
    this.status = status;
    this.detail = problem.detail || problem.title || t("cm.error.generic");
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.code = problem.code || null; // a stable name for some problems ("reset_link_invalid")
    this.retryAfter = retryAfter;
  }

  function send(method, path, body, token) {
    var headers = { Accept: "application/json, application/problem+json", "Accept-Language": lang };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers["X-CSRF-Token"] = token;
    return fetch(apiBase + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
        if (response.ok) return data;
        throw new ApiError(
          response.status,
          data && typeof data === "object" ? data : {},
          response.headers.get("Retry-After")
        );
      });
    }, function () {
      throw new ApiError(0, { detail: t("cm.error.network") });
    });
  }

  var sessionPromise = null;

  // The signed-in user (or null) and the CSRF token every write carries.
  function session(fresh) {
    if (!sessionPromise || fresh) {
      sessionPromise = send("GET", "/session").catch(function (error) {
        sessionPromise = null;
        throw error;
      });
    }
    return sessionPromise;
  }

  function setSession(data) {
    sessionPromise = Promise.resolve(data);
  }

  // options.signIn === false: a 401 is the caller's to show (e.g. a wrong password).
  function api(method, path, body, options) {
    options = options || {};
    var write = method !== "GET";
    function attempt(retried) {
      return (write ? session() : Promise.resolve(null)).then(function (current) {
        var token = current && current.csrf_token;
        return send(method, path, body, token).catch(function (error) {
          if (write && error.status === 403 && !retried) {
            // The token may predate a sign-in elsewhere or an expired session: refresh it
            // and try once more; a real "not allowed" answers 403 again.
            return session(true).then(function (fresh) {
              if (fresh && fresh.csrf_token && fresh.csrf_token !== token) return attempt(true);
              throw error;
            });
          }
          throw error;
        });
      });
    }
    return attempt(false).catch(function (error) {
      if (error.status === 401 && options.signIn !== false) {
        error.redirecting = true;
        location.assign(loginHref());
      }
      throw error;
    });
  }

  // ---- DOM ---------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    append(node, children);
    return node;
  }

  function append(node, children) {
    [].concat(children === undefined ? [] : children).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  var uid = 0;
  function id(prefix) {
    uid += 1;
    return "cm-" + prefix + "-" + uid;
  }

  // One polite live region for the page: short confirmations ("Vote recorded").
  var live = null;
  function announce(message) {
    if (!live) {
      live = el("div", { class: "cm-sr-only", role: "status", "aria-live": "polite" });
      document.body.appendChild(live);
    }
    live.textContent = "";
    // A fresh text node, a moment later, so the same message is announced twice in a row.
    setTimeout(function () { live.textContent = message; }, 50);
  }

  // ---- forms -------------------------------------------------------------------------

  // A labelled field with an optional hint; returns the wrapper, with .control on it.
  function field(spec) {
    var fieldId = id(spec.name);
    var control = spec.control || el(spec.multiline ? "textarea" : "input", {
      type: spec.multiline ? null : spec.type || "text",
      rows: spec.multiline ? spec.rows || 8 : null
    });
    control.id = fieldId;
    control.name = spec.name;
    Object.keys(spec.attrs || {}).forEach(function (name) { control.setAttribute(name, spec.attrs[name]); });
    if (spec.value !== undefined) control.value = spec.value;
    var hint = spec.hint ? el("p", { class: "cm-hint", id: fieldId + "-hint", text: spec.hint }) : null;
    if (hint) control.setAttribute("aria-describedby", hint.id);
    var wrapper = el("div", { class: "cm-field" }, [
      el("label", { for: fieldId, class: "cm-label", text: spec.label }),
      hint,
      control
    ]);
    wrapper.control = control;
    return wrapper;
  }

  // The place a form shows what went wrong as a whole; read out when it changes.
  function problemBox() {
    return el("div", { class: "cm-problem", role: "alert", hidden: true });
  }

  function clearProblems(form, box) {
    if (box) { box.hidden = true; box.textContent = ""; }
    if (!form) return;
    form.querySelectorAll(".cm-field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (ref) {
        return ref && !/-error$/.test(ref);
      });
      if (described.length) control.setAttribute("aria-describedby", described.join(" "));
      else control.removeAttribute("aria-describedby");
    });
  }

  // Show an ApiError: the problem's detail in the box, each field's message under its field.
  function showProblem(error, box, form) {
    clearProblems(form, box);
    var unplaced = [];
    var first = null;
    error.errors.forEach(function (item) {
      var name = String(item.field || "").split(/[.[]/)[0];
      var control = form && name && form.elements[name];
      if (!control || !control.id) {
        unplaced.push(item);
        return;
      }
      var message = el("p", { class: "cm-field-error", id: control.id + "-error", text: item.message });
      var existing = document.getElementById(message.id);
      if (existing) existing.textContent += " " + item.message;
      else control.insertAdjacentElement("afterend", message);
      control.setAttribute("aria-invalid", "true");
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(message.id) < 0) described.push(message.id);
      control.setAttribute("aria-describedby", described.join(" "));
      first = first || control;
    });
    if (!box) return;
    box.textContent = "";
    append(box, el("p", { text: error.detail }));
    if (error.status === 429 && error.retryAfter) {
      var wait = duration(Number(error.retryAfter), true);
      append(box, el("p", { text: t("cm.error.retry_after", { wait: wait }) }));
    }
    if (unplaced.length) {
      append(box, el("ul", null, unplaced.map(function (item) {
        return el("li", { text: (item.field ? item.field + ": " : "") + item.message });
      })));
    }
    box.hidden = false;
    if (first) first.focus();
  }

  // A "Show password(s)" checkbox for a form: shows or hides every password field in it.
  function showPasswords(form, label) {
    var secret = [].slice.call(form.querySelectorAll('input[type="password"]'));
    var box = el("input", { type: "checkbox", id: id("show") });
    box.addEventListener("change", function () {
      secret.forEach(function (control) { control.type = box.checked ? "text" : "password"; });
    });
    return el("div", { class: "cm-check" }, [box, el("label", { for: box.id, text: label })]);
  }

  function busy(button, on) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  // A draft that survives a sign-in detour or a reload (sessionStorage; this tab only).
  function draft(key) {
    var name = "portal.draft." + key;
    return {
      load: function () {
        try { return JSON.parse(sessionStorage.getItem(name)) || {}; } catch (e) { return {}; }
      },
      save: function (value) {
        try { sessionStorage.setItem(name, JSON.stringify(value)); } catch (e) { /* full or off */ }
      },
      clear: function () {
        try { sessionStorage.removeItem(name); } catch (e) { /* off */ }
      }
    };
  }

  // ---- times -------------------------------------------------------------------------

  // A length of time in the unit a person would use: "45 seconds", "3 minutes", "5.5
  // hours", "2 days" (up: rounded up, for a wait, so it is never "0 minutes").
  function duration(seconds, up) {
    var round = up ? Math.ceil : Math.round;
    if (seconds < 60) return plural("cm.duration.seconds", round(seconds));
    if (seconds < 2 * 3600) return plural("cm.duration.minutes", round(seconds / 60));
    if (seconds < 48 * 3600) return plural("cm.duration.hours", round(seconds / 360) / 10);
    return plural("cm.duration.days", round(seconds / 8640) / 10);
  }

  // Browsers without a language's data (Debian's Chromium has none for Khmer) fall back to
  // English silently; then the page's own words say "3 hours ago".
  var intlKnows = Intl.RelativeTimeFormat.supportedLocalesOf([lang]).length > 0;
  var relativeFormat = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  var fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
  var dayFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
  var MONTHS = t("cm.date.months").split("|");

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) text = "0" + text;
    return text;
  }

  // A CLDR pattern ("d MMMM y 'г'.", "h:mm a") filled in with the build's month names.
  function cldr(pattern, date) {
    return pattern.replace(/'([^']*)'|d{1,2}|M{3,4}|y+|H{1,2}|h{1,2}|mm|a/g, function (token, quoted) {
      if (quoted !== undefined) return quoted;
      switch (token.charAt(0)) {
        case "d": return pad(date.getDate(), token.length);
        case "M": return MONTHS[date.getMonth()];
        case "y": return String(date.getFullYear());
        case "H": return pad(date.getHours(), token.length);
        case "h": return pad(date.getHours() % 12 || 12, token.length);
        case "m": return pad(date.getMinutes(), 2);
        default: return date.getHours() < 12 ? t("cm.date.am") : t("cm.date.pm");
      }
    });
  }

  // A date and time in full, in the page's language: the browser's own words where it has
  // them, else the build's (Debian's Chromium has no Khmer).
  function absolute(date) {
    if (intlKnows) return fullFormat.format(date);
    return t("cm.date.joined").replace("{1}", cldr(t("cm.date.long"), date)).replace("{0}", cldr(t("cm.date.time"), date));
  }
  // A day in full ("5 February 2026"), for when a member joined.
  function day(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return el("span", { text: "" });
    return el("time", { datetime: iso, text: intlKnows ? dayFormat.format(date) : cldr(t("cm.date.long"), date) });
  }

  var UNITS = [
    ["year", 31536000], ["month", 2592000], ["week", 604800],
    ["day", 86400], ["hour", 3600], ["minute", 60]
  ];

  function relative(iso) {
    var seconds = (Date.parse(iso) - Date.now()) / 1000;
    if (!intlKnows) seconds = Math.min(seconds, 0); // our words only say "ago"
    for (var i = 0; i < UNITS.length; i += 1) {
      if (Math.abs(seconds) >= UNITS[i][1]) {
        var count = Math.round(seconds / UNITS[i][1]);
        return intlKnows
          ? relativeFormat.format(count, UNITS[i][0])
          : plural("cm.time." + UNITS[i][0], -count);
      }
    }
    return intlKnows ? relativeFormat.format(0, "second") : t("cm.time.now");
  }

  function time(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return el("span", { text: "" });
    return el("time", {
      datetime: iso,
      title: absolute(date),
      "data-relative": "",
      text: relative(iso)
    });
  }

  setInterval(function () {
    document.querySelectorAll("time[data-relative]").forEach(function (node) {
      node.textContent = relative(node.getAttribute("datetime"));
    });
  }, 60000);

  // Each language by its own name, as the site's language switcher shows it ("ខ្មែរ").
  var languageNames = {};
  document.querySelectorAll(".md-select__link[hreflang]").forEach(function (link) {
    languageNames[link.getAttribute("hreflang")] = link.textContent.trim();
  });
  var LANGUAGES = Object.keys(languageNames);
  if (LANGUAGES.indexOf(lang) < 0) LANGUAGES.unshift(lang);

  function languageName(code) {
    return languageNames[code] || code;
  }


  // ---- who may moderate -------------------------------------------------------------

  function isStaff(user) {
    return !!user && STAFF.indexOf(user.role) >= 0;
  }

  // Moderators' pages: true for staff; otherwise says who may see the page, and false.
  function staffOnly(node, user) {
    if (isStaff(user)) return true;
    append(node, el("p", { class: "cm-notice", text: t(user ? "mod.only" : "mod.signin") }));
    return false;
  }

  // ---- members beside their posts ---------------------------------------------------

  var TIERS = ["gold", "silver", "bronze"];

  // A member's name linking to their profile, with their level ("L3", read "Level 3") and
  // badge counts (gold, silver, bronze dots) when the API gives them.
  function member(user) {
    var parts = [el("a", { class: "cm-author", href: href("profile", { id: user.id }), text: user.username })];
    if (user.level) {
      var level = t("engage.level", { level: numbers.format(user.level) });
      parts.push(el("span", { class: "cm-level", role: "img", title: level, "aria-label": level, text: t("engage.level.short", { level: numbers.format(user.level) }) }));
    }
    var badges = user.badges || {};
    var held = TIERS.filter(function (tier) { return badges[tier] > 0; });
    if (held.length) {
      var said = held.map(function (tier) { return plural("engage.badges." + tier, badges[tier]); }).join(", ");
      parts.push(el("span", { class: "cm-badge-counts", role: "img", title: said, "aria-label": said }, held.map(function (tier) {
        return el("span", { class: "cm-badge-count cm-badge-count--" + tier }, [
          el("span", { class: "cm-dot", "aria-hidden": "true" }), numbers.format(badges[tier])
        ]);
      })));
    }
    return el("span", { class: "cm-member" }, parts);
  }

  // ---- widgets -----------------------------------------------------------------------

  var starters = [];
  function widget(name, start) {
    starters.push([name, start]);
  }

  function startAll() {
    starters.forEach(function (entry) {
      document.querySelectorAll('[data-widget="' + entry[0] + '"]').forEach(function (node) {
        node.textContent = "";
        entry[1](node);
      });
    });
  }

  // Fill one widget's places afresh, e.g. the header's account place once a form signed in.
  function restart(name) {
    starters.forEach(function (entry) {
      if (entry[0] !== name) return;
      document.querySelectorAll('[data-widget="' + name + '"]').forEach(function (node) {
        node.textContent = "";
        entry[1](node);
      });
    });
  }

  // Start once every script has run, so widgets can use each other's helpers (portalSearch).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else setTimeout(startAll, 0);

  window.portalCommunity = {
    LANGUAGES: LANGUAGES,
    lang: lang,
    t: t,
    plural: plural,
    compose: compose,
    number: function (value) { return numbers.format(value); },
    href: href,
    here: here,
    param: param,
    safeNext: safeNext,
    loginHref: loginHref,
    api: api,
    session: session,
    setSession: setSession,
    el: el,
    append: append,
    id: id,
    announce: announce,
    field: field,
    problemBox: problemBox,
    clearProblems: clearProblems,
    showProblem: showProblem,
    busy: busy,
    showPasswords: showPasswords,
    draft: draft,
    time: time,
    day: day,
    duration: duration,
    TIERS: TIERS,
    member: member,
    languageName: languageName,
    isStaff: isStaff,
    staffOnly: staffOnly,
    widget: widget,
    restart: restart
  };
})();
