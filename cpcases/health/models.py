"""What /healthz and the watch read (issue 12 §2): when each periodic job last succeeded,
and the alerts raised to administrators when one has stopped."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    name = models.CharField(max_length=64, primary_key=True)
    last_success_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_success_at:%Y-%m-%d %H:%M:%S}"


class SystemAlert(models.Model):
    """Shown to administrators on every page while open; e-mailed when raised."""

    key = models.CharField(max_length=64)
    text = models.TextField()
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(resolved_at__isnull=True),
                                    name="one_open_alert_per_key"),
        ]

    def __str__(self) -> str:
        return self.text
