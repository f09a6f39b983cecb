"""Every e-mail the service sends, written in the same transaction as the change that causes
it, and marked sent only once the relay has taken it (issue 12 §1: at-least-once e-mail).

A row is never deleted by the app: a killed worker or a failing relay leaves it pending or
failing, and the next delivery attempt picks it up. Its Message-ID is fixed when it is written,
so a message resent after a crash between "relay accepted" and "marked sent" reaches the
recipient with the same Message-ID, and their mail system can drop the copy.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILING = "failing", "Failing (will retry)"


class OutboxMessage(models.Model):
    message_id = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=64, blank=True,
                            help_text="What the e-mail is about, e.g. deadline notice.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    from_email = models.CharField(max_length=255)
    to = ArrayField(models.CharField(max_length=254))
    cc = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    reply_to = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    # [{"filename": ..., "mimetype": ..., "content_b64": ...}]
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The flush reads only what is still to send: cost follows the backlog.
            models.Index(fields=["next_attempt_at"], name="outbox_unsent_due",
                         condition=~models.Q(status="sent")),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {', '.join(self.to)} ({self.get_status_display()})"
