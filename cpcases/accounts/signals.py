"""Deactivation and password changes end the user's sessions and API tokens at once
(issue 12 §6). Caught on save, so the admin, a service or a management command all count."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from cpcases.accounts.models import User
from cpcases.accounts.tokens import end_access


@receiver(pre_save, sender=User)
def _end_access_on_deactivation_or_new_password(sender: type[User], instance: User,
                                                **kwargs: Any) -> None:
    if instance.pk is None:
        return
    before = User.objects.filter(pk=instance.pk).values("is_active", "password").first()
    if before is None:
        return
    deactivated = before["is_active"] and not instance.is_active
    if deactivated or before["password"] != instance.password:
        user_id = instance.pk
        transaction.on_commit(lambda: end_access(user_id))
