"""Email notifications through the SMTP server in ``PORTAL_SMTP_URL``, sent off the request.

A request only puts messages on a queue after its transaction committed; one background
thread per process delivers them. A failed delivery is logged and dropped, so mail never
slows or breaks the request.
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import threading
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from core.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
# The page that shows one question; the community widgets read the id from the query.
QUESTION_PAGE = "{lang}/community/question/?id={id}"


class Mailer:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_url
        self.url = urlsplit(settings.smtp_url)
        self.sender = settings.mail_from
        self.site_url = settings.site_url
        self._queue: queue.Queue[EmailMessage] = queue.Queue()
        self._thread_pid: int | None = None
        self._lock = threading.Lock()

    def question_url(self, lang: str, question_id: int) -> str:
        return self.site_url + QUESTION_PAGE.format(lang=lang, id=question_id)

    def send_later(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        self._ensure_thread()
        self._queue.put(message)

    def wait(self) -> None:
        """Block until every queued message was handled (for tests and shutdown)."""
        self._queue.join()

    def _ensure_thread(self) -> None:
        # A forked gunicorn worker has the queue but not the thread: start one per process.
        if self._thread_pid != os.getpid():
            with self._lock:
                if self._thread_pid != os.getpid():
                    threading.Thread(target=self._deliver_forever, daemon=True).start()
                    self._thread_pid = os.getpid()

    def _deliver_forever(self) -> None:
        while True:
            message = self._queue.get()
            try:
                self._deliver(message)
            except (OSError, smtplib.SMTPException) as error:
                log.warning("Could not send mail to %s: %s", message["To"], error)
            finally:
                self._queue.task_done()

    def _deliver(self, message: EmailMessage) -> None:
        secure = self.url.scheme == "smtps"
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        port = self.url.port or (465 if secure else 25)
        with client_class(self.url.hostname or "127.0.0.1", port, timeout=TIMEOUT_SECONDS) as smtp:
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)
