"""Who produced which statutory return, when, for what period (issue 16 point 5). The
children each export names are in the access log (cpcases.audit, action "export")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpcases.accounts.models import Authority


class ReturnKind(models.TextChoices):
    CIN_CENSUS = "cin_census", "Children in Need census"
    ANNEX_A = "annex_a", "Ofsted Annex A list"
    DFE_PAYLOAD = "dfe_payload", "DfE children's social care API payload"


class ReturnExport(models.Model):
    """One export: written only by returns.services, never changed."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ReturnKind.choices)
    # None when run from the command line by the operator.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    parameters = models.JSONField(default=dict, help_text="Year, list, window and format")
    filename = models.CharField(max_length=200)
    children_count = models.PositiveIntegerField()
    scope = models.CharField(max_length=200, help_text="Whose children: the authority or a "
                                                       "service")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} at {self.created_at:%d/%m/%Y %H:%M}"


# The DfE API records and the stored readiness results (issue 16 point 4): in returns.dfe.
from returns.dfe.models import (  # noqa: E402, F401
    DfeBatch,
    DfeChildSent,
    ReadinessProblem,
    ReadinessRun,
)
