"""Sending the mail outbox through the SMTP server in ``PORTAL_SMTP_URL``.

The notifications consumer queues each email in the store; :func:`deliver_due` sends what
is due, one message at a time: it claims the message (so no other sender takes it), sends
it, then marks it sent. A sender killed between sending and marking sends that one message
again once the claim lapses, and no other. A failed delivery is tried again later, at
growing intervals (:data:`RETRY_DELAYS`); a message the server refuses for good (a 5xx
reply) or that is still failing after the last retry is kept as failed, with its error, and
logged. Nothing is sent from a request, and no thread outlives one.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from functions.store import Mail, Store, later, utcnow

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
# How long a claimed message is left to its sender before another may take it.
CLAIM_SECONDS = 120
# Seconds to wait after the 1st, 2nd, ... failed attempt; after the last, give up.
RETRY_DELAYS = (60, 300, 1_800, 7_200, 43_200, 86_400)


class Mailer:
    """One SMTP server (``smtp://`` or ``smtps://``, ``user:password@`` optional)."""

    def __init__(self, smtp_url: str, sender: str) -> None:
        self.url = urlsplit(smtp_url)
        self.sender = sender

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.text)
        secure = self.url.scheme == "smtps"
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        port = self.url.port or (465 if secure else 25)
        with client_class(self.url.hostname or "127.0.0.1", port, timeout=TIMEOUT_SECONDS) as smtp:
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)


def retry_delay(attempts: int, error: Exception) -> int | None:
    """Seconds until the next try after ``attempts`` failed ones; None: give up."""
    if _refused_for_good(error) or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def deliver_due(
    store: Store, mailer: Mailer, clock: Callable[[], str] = utcnow, limit: int = 20
) -> int:
    """Send up to ``limit`` messages that are due by ``clock()``; how many were tried.

    The clock is read again for each message, since a slow server may take a while."""
    tried = 0
    for mail in store.due_mail(clock(), limit):
        now = clock()
        claim = later(now, CLAIM_SECONDS)
        if not store.claim_mail(mail.key, now, claim):
            continue  # another sender has it
        tried += 1
        try:
            mailer.send(mail)
        except (OSError, smtplib.SMTPException) as error:
            now = clock()
            delay = retry_delay(mail.attempts + 1, error)
            retry_at = None if delay is None else later(now, delay)
            store.finish_mail(
                mail.key,
                claim,
                now,
                error=f"{type(error).__name__}: {error}"[:500],
                retry_at=retry_at,
            )
            log.warning(
                "Could not send mail to %s (%s); %s",
                mail.to,
                error,
                f"trying again at {retry_at}" if retry_at else "giving up",
            )
        else:
            store.finish_mail(mail.key, claim, clock())
    return tried
