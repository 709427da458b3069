"""Who hears of what: the notifications consumer of the event log.

- an answer: everyone who follows the question (askers and answerers follow on their own);
- a comment: the author of the post it is on;
- an accepted answer: its author;
- a badge or a quest reached, or a reward handed over: the member;
- a reader's "not helpful" on a knowledge-base page: the moderators and admins of the team
  that owns the page (``content/owners.yml``), with the reader's reason and comment; once
  when the vote turns to "no", and again only when the reader adds a comment (a reason
  chosen afterwards, or "no" said twice, tells them nothing new).

Nobody hears of what they did themselves, nor of a post hidden or deleted before the
consumer got to its event. A question's followers are notified a page at a
time (:data:`FANOUT_BATCH` in one write), however many there are. Notifications are keyed
by their event and recipient, and so are the emails queued beside them when mail is set up,
so a replayed event adds nothing. The mail outbox is sent by :mod:`functions.mail`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from core.roles import is_staff
from core.urls import question_url
from functions.store import (
    AwardNote,
    Event,
    Mail,
    NewNotifications,
    NotificationKind,
    PageNote,
    Question,
    Store,
    User,
)
from search_index.pages import PageEntry

PageLookup = Callable[[str], PageEntry | None]  # a page's entry by "en/faq/refunds/"

FANOUT_BATCH = 100  # followers read at a time
WRITE_BATCH = 500  # notifications written at a time
KINDS: dict[str, NotificationKind] = {
    "answered": "answer",
    "commented": "comment",
    "accepted": "accepted",
}
FEEDBACK_REASONS = {
    "outdated": "it is out of date",
    "unclear": "it is hard to understand",
    "unsolved": "it did not solve their problem",
    "other": "another reason",
}
SUBJECTS: dict[NotificationKind, str] = {
    "answer": "{actor} answered: {title}",
    "comment": "{actor} commented on: {title}",
    "accepted": "{actor} accepted your answer to: {title}",
}


def handle(
    store: Store,
    events: Sequence[Event],
    site_url: str | None = None,
    pages: PageLookup = lambda key: None,
) -> None:
    """Notify whom ``events`` concern, a few hundred notifications to a write; queue their
    emails too when ``site_url`` is given. ``pages`` finds who owns a page."""
    pending: list[NewNotifications] = []
    mail: list[Mail] = []

    def flush() -> None:
        if pending:
            store.add_notifications(pending)
            if mail:
                store.queue_mail(mail, pending[-1].at)
        pending.clear()
        mail.clear()

    for event in events:
        if (award := _award(event)) is not None and event.affected_id is not None:
            pending.append(
                NewNotifications(
                    event.id, award.kind, None, None, (event.affected_id,), event.at, award=award
                )
            )
            continue
        if event.kind == "feedback":
            if not event.data.get("helpful"):
                _page_feedback(store, event, pages, site_url, pending, mail)
            continue
        kind = KINDS.get(event.kind)
        if kind is None or event.question_id is None or event.actor_id is None:
            continue
        question = store.question(event.question_id)
        if question is None or not question.visible or not _post_visible(store, event):
            continue  # hidden or deleted before the consumer got here: nobody hears of it
        for batch in _recipients(store, event, kind):
            pending.append(
                NewNotifications(
                    event.id, kind, question.id, event.actor_id, tuple(batch), event.at
                )
            )
            if site_url is not None:
                mail.extend(_emails(store, event, kind, question, batch, site_url))
            if sum(len(entry.user_ids) for entry in pending) >= WRITE_BATCH:
                flush()
    flush()


def _award(event: Event) -> AwardNote | None:
    """What a badge, a quest reached or a reward handed over tells the member."""
    data = event.data
    if event.kind == "awarded":
        return AwardNote(data["award"], data["name"], data.get("tier", ""), data.get("points", 0))
    if event.kind == "fulfilled":
        return AwardNote("reward", data["reward"])
    return None


def _page_feedback(
    store: Store,
    event: Event,
    pages: PageLookup,
    site_url: str | None,
    pending: list[NewNotifications],
    mail: list[Mail],
) -> None:
    """A reader's "no": the page's owners hear of it, and of the reader's reason."""
    if not _news_for_owners(event.data):
        return
    key = f"{event.data['lang']}/{event.data['page']}"
    entry = pages(key)
    if entry is None or not entry.notify:
        return  # a page since taken away, or one nobody keeps
    found = (store.user_by_username(name) for name in entry.notify)
    # Staff only: a username in owners.yml that a reader registered hears nothing.
    owners = [
        user
        for user in found
        if user is not None and is_staff(user.role) and user.id != event.actor_id
    ]
    if not owners:
        return
    note = PageNote(key, entry.title, event.data.get("reason"), event.data.get("comment"))
    pending.append(
        NewNotifications(
            event.id,
            "feedback",
            None,
            event.actor_id,
            tuple(user.id for user in owners),
            event.at,
            note,
        )
    )
    if site_url is not None:
        mail.extend(
            feedback_email(event.id, user, note, site_url)
            for user in owners
            if user.email_notifications
        )


def _news_for_owners(vote: Mapping[str, Any]) -> bool:
    """A "no" the owners have not heard: a new one, or one with a new comment."""
    previous = vote.get("previous")
    if not previous or previous.get("helpful"):
        return True
    return bool(vote.get("comment")) and vote.get("comment") != previous.get("comment")


def feedback_email(event_id: int, recipient: User, note: PageNote, site_url: str) -> Mail:
    """The email telling a page's owner that a reader found it unhelpful."""
    title = " ".join(note.title.split())
    subject = f"A reader found this page unhelpful: {title}"
    lines = [f"Hello {recipient.username},", "", subject]
    if note.reason:
        lines.append(f"Why: {FEEDBACK_REASONS.get(note.reason, note.reason)}")
    if note.comment:
        lines += ["", "They wrote:", note.comment]
    lines += [
        "",
        f"{site_url}{note.page}",
        "",
        "You get this email because your team keeps this page on Nimbus Care.",
        "",
    ]
    return Mail(
        key=f"{event_id}:{recipient.id}", to=recipient.email, subject=subject, text="\n".join(lines)
    )


def _post_visible(store: Store, event: Event) -> bool:
    """The answer answered or accepted, or the post commented on, is still there to see."""
    if event.kind == "commented":
        kind, post_id = event.data.get("on"), event.data.get("post_id")
    else:
        kind, post_id = "answer", event.entity_id
    if kind == "question":
        return True  # the question itself was checked
    answer = store.answer(post_id) if isinstance(post_id, int) else None
    return answer is not None and answer.visible


def _recipients(store: Store, event: Event, kind: NotificationKind) -> Iterator[list[int]]:
    if kind != "answer":
        if event.affected_id is not None and event.affected_id != event.actor_id:
            yield [event.affected_id]
        return
    after = 0
    while followers := store.followers(event.question_id, after, FANOUT_BATCH):
        after = followers[-1]
        batch = [user_id for user_id in followers if user_id != event.actor_id]
        if batch:
            yield batch


def _emails(
    store: Store,
    event: Event,
    kind: NotificationKind,
    question: Question,
    user_ids: list[int],
    site_url: str,
) -> list[Mail]:
    actor = store.user_by_id(event.actor_id)
    actor_name = actor.username if actor else "Someone"
    return [
        email(event.id, kind, recipient, actor_name, question, site_url)
        for recipient in store.users_by_id(user_ids)
        if recipient.email_notifications  # a member may keep notifications in the portal only
    ]


def email(
    event_id: int,
    kind: NotificationKind,
    recipient: User,
    actor_name: str,
    question: Question,
    site_url: str,
) -> Mail:
    """The email of one notification. A title may hold line breaks, which a mail header
    must not (and cannot) carry, so the subject gets them as spaces."""
    title = " ".join(question.title.split())
    subject = SUBJECTS[kind].format(actor=actor_name, title=title)
    return Mail(
        key=f"{event_id}:{recipient.id}",
        to=recipient.email,
        subject=subject,
        text=(
            f"Hello {recipient.username},\n\n{subject}\n\n"
            f"{site_url}{question_url(question.id, question.lang)}\n\n"
            "You get this email because you follow this question on Nimbus Care.\n"
        ),
    )
