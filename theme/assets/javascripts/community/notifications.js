// The reader's notifications: new answers and comments on followed questions, accepted answers,
// badges and quests earned, rewards handed over.
(function () {
  "use strict";
  var C = window.portalCommunity;
  var t = C.t;
  var el = C.el;

  C.widget("notifications", function (node) {
    var unread = 0;
    var cursor = null;
    var list = el("ul", { class: "cm-notes", "aria-label": t("notifications.list") });
    var summary = el("p", { class: "cm-summary-line", "aria-live": "polite", text: t("cm.loading") });
    var box = C.problemBox();
    var readAll = el("button", { type: "button", class: "md-button", hidden: true, text: t("notifications.read_all") });
    var more = el("button", { type: "button", class: "md-button cm-more", hidden: true, text: t("cm.load_more") });

    function setUnread(count) {
      unread = Math.max(0, count);
      readAll.hidden = !unread;
      C.showUnread(unread);
    }

    function markRead(item, note) {
      if (note.read) return;
      note.read = true;
      item.classList.remove("cm-note--unread");
      item.querySelector(".cm-note__state").textContent = t("notifications.read");
      setUnread(unread - 1);
    }

    var siteRoot = new URL("../", new URL(document.querySelector('meta[name="portal:root"]').getAttribute("content"), location.href));

    // A badge or quest earned leads to the member's own profile; a reward handed over, to
    // the rewards page.
    function awardLink(award) {
      var text = award.kind === "badge" ? t("engage.earned." + (award.tier || "bronze"), { name: award.name })
        : award.kind === "quest" ? C.plural("engage.quest_done", award.points, { name: award.name })
          : t("notifications.kind.reward", { name: award.name });
      return el("a", { class: "cm-note__link", href: C.href(award.kind === "reward" ? "rewards" : "profile"), text: text });
    }

    function noteItem(note) {
      var page = note.page;
      var title = el("span", { class: "cm-note__title", text: page ? page.title : note.question_title });
      var link = note.award ? awardLink(note.award) : el("a", {
        class: "cm-note__link",
        href: page ? new URL(page.url, siteRoot).pathname : C.href("question", { id: note.question_id })
      }, C.compose(t("notifications.kind." + note.kind), { actor: note.actor ? note.actor.username : "", title: title }));
      // A reader's "no" on a page: why, and what they wrote.
      var said = page ? el("span", { class: "cm-note__said" }, [
        page.reason ? " " + t("notifications.feedback.reason", { reason: t("feedback.reason." + page.reason) }) : "",
        page.comment ? " " + t("notifications.feedback.comment", { comment: page.comment }) : ""
      ]) : null;
      var item = el("li", { class: "cm-note" + (note.read ? "" : " cm-note--unread") }, [
        el("span", { class: "cm-note__state", text: note.read ? t("notifications.read") : t("notifications.unread") }),
        " ",
        link,
        said,
        " ",
        C.time(note.created_at)
      ]);
      link.addEventListener("click", function (event) {
        if (note.read || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
        // Mark it read first, then follow the link (whatever the answer: reading comes first).
        event.preventDefault();
        C.api("POST", "/notifications/read", { ids: [note.id] }).catch(function () {}).then(function () {
          location.assign(link.href);
        });
      });
      link.addEventListener("auxclick", function () {
        C.api("POST", "/notifications/read", { ids: [note.id] }).then(function () { markRead(item, note); }, function () {});
      });
      return item;
    }

    readAll.addEventListener("click", function () {
      C.busy(readAll, true);
      C.api("POST", "/notifications/read", { all: true }).then(function () {
        list.querySelectorAll(".cm-note--unread").forEach(function (item) {
          item.classList.remove("cm-note--unread");
          item.querySelector(".cm-note__state").textContent = t("notifications.read");
        });
        setUnread(0);
        C.busy(readAll, false);
        C.announce(t("notifications.all_read"));
        list.focus();
      }, function (error) {
        C.busy(readAll, false);
        if (!error.redirecting) C.showProblem(error, box);
      });
    });

    function load(append) {
      C.busy(more, true);
      var query = "/notifications?limit=20" + (append && cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      C.api("GET", query).then(function (page) {
        var before = list.children.length;
        page.items.forEach(function (note) { list.appendChild(noteItem(note)); });
        cursor = page.next_cursor;
        more.hidden = !cursor;
        setUnread(page.unread);
        summary.textContent = list.children.length ? "" : t("notifications.empty");
        if (append) {
          var first = list.children[before] && list.children[before].querySelector("a");
          if (first) first.focus();
        }
      }, function (error) {
        summary.textContent = "";
        if (!error.redirecting) C.showProblem(error, box);
      }).then(function () { C.busy(more, false); });
    }

    more.addEventListener("click", function () { load(true); });
    list.setAttribute("tabindex", "-1");
    C.append(node, [el("div", { class: "cm-toolbar" }, [readAll]), summary, box, list, more]);
    load(false);
  });
})();
