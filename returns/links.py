"""The page that puts a census problem right (readiness pages and the stored readiness):
apart from returns.views so that returns.dfe.readiness need not import the views."""

from __future__ import annotations

from django.urls import reverse

from returns import rules


def fix_link(failure: rules.Failure) -> tuple[str, str]:
    """(url, link text) of the page that fixes the failure; ("", "") if none does."""
    kind, pk = failure.target
    child_pk = failure.child.pk if failure.child else None
    if kind == "child" and child_pk:
        return reverse("children:edit", args=[child_pk]), "Correct the child's details"
    if kind == "referral" and pk:
        return reverse("frontdoor:referral", args=[pk]), "Open the referral"
    if kind == "s47" and child_pk:
        return (reverse("strategy:child", args=[child_pk]),
                "Open the strategy discussions and enquiries")
    if kind == "plan" and pk:
        return reverse("plans:detail", args=[pk]), "Open the child protection plan"
    if kind == "cin_plan" and pk:
        return reverse("plans:cin_detail", args=[pk]), "Open the child in need plan"
    return "", ""
