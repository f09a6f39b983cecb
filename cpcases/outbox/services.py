"""The one way the service sends e-mail: `outbox_enqueue` in the transaction of the change,
then delivery by a retried Celery task (issue 12 §1).

Why: e-mail sent after commit was lost whenever the worker died or the relay failed between
the commit and the send, and the escalation row then forbade a retry. Now the message is a row
written with the change; it is marked sent only after the relay has accepted it, so a crash or
a relay error leaves it to be sent later. It is at-least-once: a worker killed after the relay
accepted a message but before the row was marked sent sends it again, with the same
Message-ID, which lets the receiving mail system drop the copy.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cpcases.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


def _message_id_domain() -> str:
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "")
    if domain:
        return domain
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "cpcases.invalid"


def _attachments(message: EmailMessage) -> list[dict[str, str]]:
    stored = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment  # (filename, content, mimetype) tuples only
        data = content.encode() if isinstance(content, str) else bytes(content)
        stored.append({"filename": filename or "", "mimetype": mimetype or "",
                       "content_b64": base64.b64encode(data).decode("ascii")})
    return stored


def outbox_enqueue_many(*, messages: Iterable[EmailMessage], kind: str = ""
                        ) -> list[OutboxMessage]:
    """Write the messages to the outbox in the caller's transaction, and ask for delivery once
    it commits (nothing is sent for a change that rolls back). Messages with no recipient are
    dropped."""
    rows = [OutboxMessage(
        message_id=make_msgid(domain=_message_id_domain()), kind=kind[:64],
        subject=str(m.subject)[:998], body=str(m.body), from_email=m.from_email
        or settings.DEFAULT_FROM_EMAIL, to=list(m.to), cc=list(m.cc), reply_to=list(m.reply_to),
        attachments=_attachments(m)) for m in messages if m.to]
    if not rows:
        return []
    rows = OutboxMessage.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: dispatch(ids))
    return rows


def outbox_enqueue(*, message: EmailMessage, kind: str = "") -> OutboxMessage | None:
    rows = outbox_enqueue_many(messages=[message], kind=kind)
    return rows[0] if rows else None


def dispatch(ids: Sequence[int]) -> None:
    """After commit: deliver now in this process (OUTBOX_DELIVERY = "inline": tests, demo
    seeding) or queue the Celery task. If the broker is down the rows stay pending and the
    periodic flush (cpcases/beat.py) sends them."""
    if settings.OUTBOX_DELIVERY == "inline":
        outbox_deliver(ids=ids)
        return
    from cpcases.celery import app  # the task by name: outbox.tasks imports this module

    try:
        app.send_task("outbox.deliver", args=[list(ids)], retry=False)
    except Exception:  # the broker is unreachable: the flush will send them (kept pending)
        logger.warning("Outbox: could not queue delivery of %s messages; the periodic flush "
                       "will send them", len(ids), exc_info=True)


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 … minutes (OUTBOX_RETRY_BASE_SECONDS), at most an hour: a relay that
    is down is not hammered, and a message is never given up on."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def as_email(row: OutboxMessage, connection: object = None) -> EmailMessage:
    message = EmailMessage(subject=row.subject, body=row.body, from_email=row.from_email,
                           to=row.to, cc=row.cc, reply_to=row.reply_to,
                           headers={"Message-ID": row.message_id}, connection=connection)
    for attachment in row.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content_b64"]),
                       attachment["mimetype"] or None)
    return message


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def outbox_deliver(*, ids: Sequence[int] | None = None, limit: int = 500,
                   now: datetime | None = None) -> Delivery:
    """Send what is due (the given ids, or everything), one message per short transaction:
    lock the row (skipping rows another worker holds), hand it to the relay, mark it sent.
    A relay error marks it failing with the error and a later attempt time."""
    result = Delivery()
    connection = get_connection(fail_silently=False)
    try:
        for _ in range(limit):
            with transaction.atomic():
                due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                    ~Q(status=OutboxStatus.SENT), next_attempt_at__lte=now or timezone.now())
                if ids is not None:
                    due = due.filter(pk__in=list(ids))
                row = due.order_by("next_attempt_at", "id").first()
                if row is None:
                    break
                row.attempts += 1
                row.last_attempt_at = timezone.now()
                try:
                    accepted = connection.send_messages([as_email(row, connection)])
                    if not accepted:
                        raise RuntimeError("The mail relay accepted no recipient.")
                except Exception as exc:  # any failure: keep the message and try again later
                    logger.warning("Outbox: message %s failed: %s", row.pk, exc)
                    row.status = OutboxStatus.FAILING
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
                    result.failed += 1
                    _close_quietly(connection)
                else:
                    row.status = OutboxStatus.SENT
                    row.sent_at = timezone.now()
                    result.sent += 1
                row.save(update_fields=["status", "attempts", "last_attempt_at", "last_error",
                                        "next_attempt_at", "sent_at"])
    finally:
        _close_quietly(connection)
    return result


def _close_quietly(connection: object) -> None:
    try:
        connection.close()  # type: ignore[attr-defined]
    except Exception:  # a dead relay connection may fail to close: nothing to keep
        logger.debug("Outbox: closing the mail connection failed", exc_info=True)
