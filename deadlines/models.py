"""The deadline engine's data: closure days (the working-day calendar's authority part)."""

from __future__ import annotations

from django.db import models

from cpcases.accounts.models import Authority


class ClosureDay(models.Model):
    """A day the authority is closed besides bank holidays (e.g. 24 December). DOMAIN §3."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE,
                                  related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["authority", "date"],
                                               name="closure_day_unique")]

    def __str__(self) -> str:
        return f"{self.authority.slug} closed {self.date:%d %B %Y}"
