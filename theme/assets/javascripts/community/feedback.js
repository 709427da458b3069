// "Was this page helpful?": the vote goes to /api/feedback at once; after a "no", the reader
// may say why (and add a comment), which replaces the vote. A reader who voted before sees
// their answer pressed, and can change it.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;

  function start(form) {
    var page = form.getAttribute("data-page");
    var lang = form.getAttribute("data-lang");
    var buttons = form.querySelectorAll(".md-feedback__list button");
    var note = form.querySelector(".portal-feedback__note");
    var why = form.querySelector(".portal-feedback__why");
    var box = why.querySelector(".cm-problem");
    var send = why.querySelector("button[type=submit]");

    function press(value) {
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.value === value));
      });
    }

    function vote(body) {
      return C.api("POST", "/feedback", Object.assign({ lang: lang, page: page }, body), { signIn: false });
    }

    var said = null; // "yes", "no" or null: what the server has

    function failed(error) {
      press(said); // the vote did not change
      box.textContent = "";
      C.showProblem(error, box);
      why.hidden = false;
      note.textContent = "";
    }

    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var helpful = button.value === "yes";
        if (!helpful && said === "no") { // said already: ask why again, keep what was given
          why.hidden = false;
          why.querySelector("input[name=reason]").focus();
          return;
        }
        press(button.value);
        C.clearProblems(null, box);
        vote({ helpful: helpful }).then(function () {
          said = button.value;
          note.textContent = t(helpful ? "feedback.thanks" : "feedback.thanks_no");
          why.hidden = helpful;
          if (!helpful) why.querySelector("input[name=reason]").focus();
        }, failed);
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=reason]:checked");
      var comment = form.elements.comment.value.trim();
      C.busy(send, true);
      C.clearProblems(null, box);
      vote({ helpful: false, reason: chosen ? chosen.value : null, comment: comment || null }).then(function () {
        said = "no";
        press(said);
        why.hidden = true;
        note.textContent = t("feedback.sent");
        note.focus(); // the form the reader was in is gone: keep their place
      }, failed).then(function () { C.busy(send, false); });
    });

    form.hidden = false;
    C.api("GET", "/feedback?lang=" + encodeURIComponent(lang) + "&page=" + encodeURIComponent(page), undefined, { signIn: false })
      .then(function (previous) {
        if (previous.helpful === null) return;
        said = previous.helpful ? "yes" : "no";
        press(said);
        note.textContent = t(previous.helpful ? "feedback.before_yes" : "feedback.before_no");
        if (previous.reason) {
          var radio = form.querySelector('input[name=reason][value="' + previous.reason + '"]');
          if (radio) radio.checked = true;
        }
        if (previous.comment) form.elements.comment.value = previous.comment;
      }, function () { /* the form works without knowing the earlier vote */ });
  }

  function startAll() {
    document.querySelectorAll('form[data-widget-form="feedback"]').forEach(start);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else setTimeout(startAll, 0);
})();
