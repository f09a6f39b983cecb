"""Failed sign-ins slow down before they lock (issue 12 §6).

Each failed password for a (username, client address) doubles the wait before that pair may
try again (SIGN_IN_SLOWDOWN_SECONDS, then twice that, ... at most SIGN_IN_SLOWDOWN_MAX_SECONDS);
at AXES_FAILURE_LIMIT failures django-axes locks the pair out for AXES_COOLOFF_TIME. Both are
counted per (username, address) from django-axes' own failure rows, so someone guessing from
another address neither slows down nor locks out the real user. An attempt made during the wait
is refused without checking the password and is not counted: it never reaches authenticate(),
and the web worker is not held up sleeping.
"""

from __future__ import annotations

import math

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from cpcases.core.client import client_address


def sign_in_wait_seconds(request: HttpRequest, username: str) -> int:
    """Seconds this address must still wait before trying this username again (0: go)."""
    if not username:
        return 0
    now = timezone.now()
    seen = AccessAttempt.objects.filter(
        username=username, ip_address=client_address(request),
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures, last = seen["failures"] or 0, seen["last"]
    if not failures or last is None:
        return 0
    delay = min(settings.SIGN_IN_SLOWDOWN_MAX_SECONDS,
                settings.SIGN_IN_SLOWDOWN_SECONDS * 2 ** (failures - 1))
    remaining = (last - now).total_seconds() + delay
    return math.ceil(remaining) if remaining > 0 else 0
