"""Questions and answers: ask, list, read, edit (with revisions), answer, comment, vote,
accept, follow."""

from __future__ import annotations

from flask import Blueprint, session

from core.tags import tag_for
from core.urls import page_url, promoted_source
from functions import community, content, models, posts, web
from functions.errors import field
from functions.openapi import route, route_on_posts
from functions.problems import Problem
from functions.store import Answer, Comment, Page, PostKind, Question, User, utcnow

bp = Blueprint("forum", __name__, url_prefix="/api")
VIEWED_REMEMBERED = 100  # question ids kept in the session so a reload is not a new view


# Shaping responses


# Responses are built from store rows that are already valid, so they are constructed
# without validating again (the hot path of every read); serialising still follows the
# models, and a wrong type would show up as a serialisation warning in the tests.


def summary(question: Question) -> models.QuestionSummary:
    return models.QuestionSummary.model_construct(**_summary_fields(question))


def _summary_fields(question: Question) -> dict:
    status = community.status_of(question)
    return dict(
        id=question.id,
        title=question.title,
        excerpt=question.excerpt,
        tags=list(question.tags),
        lang=question.lang,
        author=posts.author(question.author_id, question.author_name),
        score=question.score,
        answer_count=question.answer_count,
        accepted_answer_id=question.accepted_answer_id,
        view_count=question.view_count,
        created_at=question.created_at,
        last_activity_at=question.last_activity_at,
        status=status,
        locked=question.locked,
        duplicate_of=question.duplicate_of,
        promoted_answer_id=question.promoted_answer_id,
        promoted_url=(
            f"{question.promoted_lang}/{page_url(promoted_source(question.promoted_answer_id))}"
            if question.promoted_answer_id
            else None
        ),
    )


def _comment(comment: Comment) -> models.CommentOut:
    return models.CommentOut.model_construct(
        id=comment.id,
        body=comment.body,
        author=posts.author(comment.author_id, comment.author_name),
        created_at=comment.created_at,
    )


def _answer_out(
    answer: Answer, accepted: bool, comments: list[Comment], vote: int, user: User | None
) -> models.AnswerOut:
    return models.AnswerOut.model_construct(
        id=answer.id,
        question_id=answer.question_id,
        body=answer.body,
        body_html=answer.body_html,
        author=posts.author(answer.author_id, answer.author_name),
        score=answer.score,
        accepted=accepted,
        created_at=answer.created_at,
        updated_at=answer.updated_at,
        comments=[_comment(c) for c in comments],
        viewer=models.AnswerViewer.model_construct(
            vote=vote, can_edit=community.may_edit(user, answer.author_id)
        ),
        moderator_note=(
            models.NoteOut.model_construct(
                text=answer.note.text,
                moderator=posts.author(answer.note.moderator_id, answer.note.moderator_name),
                at=answer.note.at,
            )
            if answer.note
            else None
        ),
    )


def question_out(question: Question) -> models.QuestionOut:
    store, user = web.store(), web.current_user()
    votes = store.votes_on(user.id, question.id) if user else {}
    comments: dict[tuple[str, int], list[Comment]] = {}
    for comment in store.comments_of(question.id):
        comments.setdefault((comment.post_kind, comment.post_id), []).append(comment)
    answers = [a for a in store.answers_of(question.id) if posts.may_see(a)]
    posts.know_authors(
        [question.author_id, *(a.author_id for a in answers)]
        + [c.author_id for listed in comments.values() for c in listed]
    )
    accepted = question.accepted_answer_id
    answers.sort(key=lambda a: (a.id != accepted, -a.score, a.created_at, a.id))
    return models.QuestionOut.model_construct(
        **_summary_fields(question),
        body=question.body,
        body_html=question.body_html,
        updated_at=question.updated_at,
        comments=[_comment(c) for c in comments.get(("question", question.id), [])],
        answers=[
            _answer_out(
                a,
                a.id == accepted,
                comments.get(("answer", a.id), []),
                votes.get(("answer", a.id), 0),
                user,
            )
            for a in answers
        ],
        viewer=models.QuestionViewer.model_construct(
            vote=votes.get(("question", question.id), 0),
            can_edit=community.may_edit(user, question.author_id),
            following=bool(user) and store.is_following(user.id, question.id),
            can_accept=community.may_accept(user, question),
        ),
    )


def _single_answer_out(answer: Answer) -> models.AnswerOut:
    store, user = web.store(), web.current_user()
    question = store.question(answer.question_id)
    votes = store.votes_on(user.id, answer.question_id) if user else {}
    comments = [
        c
        for c in store.comments_of(answer.question_id)
        if c.post_kind == "answer" and c.post_id == answer.id
    ]
    accepted = question is not None and question.accepted_answer_id == answer.id
    posts.know_authors([answer.author_id, *(c.author_id for c in comments)])
    return _answer_out(answer, accepted, comments, votes.get(("answer", answer.id), 0), user)


def _revisions(kind: PostKind, post_id: int) -> models.RevisionList:
    return models.RevisionList(items=posts.revisions(kind, post_id))


# Questions


@route(
    bp,
    "GET",
    "/questions",
    summary="List questions",
    query=models.QuestionQuery,
    response=models.QuestionList,
)
def list_questions(query: models.QuestionQuery) -> models.QuestionList:
    store = web.store()
    if query.author:
        page = _questions_by(query)
    else:
        tag = tag_for(query.tag) if query.tag else None  # its identifier, or a name of it
        page = store.list_questions(
            query.sort, tag=tag, lang=query.lang, cursor=query.cursor, limit=query.limit
        )
    posts.know_authors(q.author_id for q in page.items)
    return models.QuestionList.model_construct(
        items=[summary(q) for q in page.items], next_cursor=page.next_cursor
    )


def _questions_by(query: models.QuestionQuery) -> Page[Question]:
    """One member's questions: newest first, and on their own (the lists the store keeps)."""
    if query.sort != "newest" or query.tag or query.lang:
        raise Problem("author_alone", status=422, errors=[field("author", "use_alone")])
    store = web.store()
    author = (
        store.user_by_id(int(query.author))
        if query.author.isascii() and query.author.isdigit() and len(query.author) < 19
        else store.user_by_username(query.author)
    )
    if author is None:
        return Page([], None)
    return store.questions_by(author.id, cursor=query.cursor, limit=query.limit)


@route(
    bp,
    "POST",
    "/questions",
    summary="Ask a question",
    body=models.NewQuestion,
    response=models.QuestionOut,
    status=201,
    signed_in=True,
)
def ask(body: models.NewQuestion) -> models.QuestionOut:
    user = web.signed_in_user()
    question_id = community.ask(
        web.store(), user, body.title, body.body, body.tags, body.lang, utcnow()
    )
    return question_out(posts.question(question_id))


@route(
    bp, "GET", "/questions/{id}", summary="A question with its answers", response=models.QuestionOut
)
def read_question(id: int) -> models.QuestionOut:
    question = posts.question(id)
    viewed = session.get("viewed", [])
    if id not in viewed:
        web.store().count_view(id)
        session["viewed"] = [*viewed[-(VIEWED_REMEMBERED - 1) :], id]
        question = posts.question(id)
    return question_out(question)


@route(
    bp,
    "PATCH",
    "/questions/{id}",
    summary="Edit a question (keeps a revision)",
    body=models.QuestionEdit,
    response=models.QuestionOut,
    signed_in=True,
)
def edit_question(id: int, body: models.QuestionEdit) -> models.QuestionOut:
    if not body.model_fields_set - {None, "reason"}:
        raise Problem("nothing_to_change", status=422, errors=[field("body", "title_body_or_tags")])
    question = posts.question(id)
    community.edit_question(
        web.store(),
        web.signed_in_user(),
        question,
        utcnow(),
        title=body.title,
        body=body.body,
        tags=body.tags,
        reason=body.reason,
    )
    return question_out(posts.question(id))


@route(
    bp,
    "GET",
    "/questions/{id}/revisions",
    summary="A question's revisions, newest first",
    response=models.RevisionList,
)
def question_revisions(id: int) -> models.RevisionList:
    return _revisions("question", posts.question(id).id)


# Answers


@route(
    bp,
    "POST",
    "/questions/{id}/answers",
    summary="Answer a question",
    body=models.NewAnswer,
    response=models.AnswerOut,
    status=201,
    signed_in=True,
)
def answer(id: int, body: models.NewAnswer) -> models.AnswerOut:
    question = posts.question(id)
    answer_id = community.answer(web.store(), web.signed_in_user(), question, body.body, utcnow())
    return _single_answer_out(posts.answer(answer_id))


@route(
    bp,
    "PATCH",
    "/answers/{id}",
    summary="Edit an answer (keeps a revision)",
    body=models.AnswerEdit,
    response=models.AnswerOut,
    signed_in=True,
)
def edit_answer(id: int, body: models.AnswerEdit) -> models.AnswerOut:
    user, answer = web.signed_in_user(), posts.answer(id)
    community.edit_answer(web.store(), user, answer, body.body, utcnow(), body.reason)
    return _single_answer_out(posts.answer(id))


@route(
    bp,
    "GET",
    "/answers/{id}/revisions",
    summary="An answer's revisions, newest first",
    response=models.RevisionList,
)
def answer_revisions(id: int) -> models.RevisionList:
    return _revisions("answer", posts.answer(id).id)


@route(
    bp,
    "POST",
    "/preview",
    summary="A post's Markdown as it will show, rendered and sanitised (not a change)",
    body=models.PreviewRequest,
    response=models.PreviewOut,
    signed_in=True,
    counted=False,
)
def preview(body: models.PreviewRequest) -> models.PreviewOut:
    return models.PreviewOut(html=content.render(body.body))


# Comments, votes, acceptance, following


def _add_comment(kind: PostKind, post_id: int, body: models.NewComment) -> models.CommentOut:
    post, question_id = posts.post(kind, post_id)
    created = community.comment(
        web.store(), web.signed_in_user(), kind, post, question_id, body.body, utcnow()
    )
    return _comment(created)


def _vote(kind: PostKind, post_id: int, body: models.VoteRequest) -> models.VoteOut:
    post, _ = posts.post(kind, post_id)
    score = community.vote(web.store(), web.signed_in_user(), kind, post, body.value, utcnow())
    return models.VoteOut(score=score, vote=body.value)


# Comments and votes work alike on both kinds of post.
route_on_posts(
    bp,
    "POST",
    "/comments",
    _add_comment,
    summary="Comment on this {kind}",
    body=models.NewComment,
    response=models.CommentOut,
    status=201,
    signed_in=True,
)
route_on_posts(
    bp,
    "PUT",
    "/vote",
    _vote,
    summary="Vote on this {kind} (1, -1, or 0 to withdraw)",
    body=models.VoteRequest,
    response=models.VoteOut,
    signed_in=True,
)


@route(
    bp,
    "PUT",
    "/questions/{id}/accepted-answer",
    summary="Accept an answer (or none)",
    body=models.AcceptRequest,
    response=models.AcceptedOut,
    signed_in=True,
)
def accept(id: int, body: models.AcceptRequest) -> models.AcceptedOut:
    question = posts.question(id)
    chosen = posts.answer(body.answer_id) if body.answer_id is not None else None
    community.accept(web.store(), web.signed_in_user(), question, chosen, utcnow())
    return models.AcceptedOut(accepted_answer_id=body.answer_id)


@route(
    bp,
    "PUT",
    "/questions/{id}/follow",
    summary="Follow or unfollow a question",
    body=models.FollowRequest,
    response=models.FollowOut,
    signed_in=True,
)
def follow(id: int, body: models.FollowRequest) -> models.FollowOut:
    posts.question(id)
    web.store().set_following(web.signed_in_user().id, id, body.following, utcnow())
    return models.FollowOut(following=body.following)
