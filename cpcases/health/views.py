"""/healthz for load balancers and docker-compose: 200 when PostgreSQL, Redis and the
deadline sweep are all well, 503 naming what is not (no child data, no sign-in)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from cpcases.health.services import health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    health = health_report()
    return JsonResponse({"status": "ok" if health.ok else "failing", "checks": health.checks,
                         "last_sweep_age_seconds": health.sweep_age_seconds},
                        status=200 if health.ok else 503)
