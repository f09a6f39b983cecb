"""gunicorn settings for the web container (Dockerfile, docker-compose.yml) and the load
benchmark (bench/bench_load.py). Issue 13 §3: one slow request must not take the server down.

Every value can be changed by the environment without rebuilding the image:
  WEB_CONCURRENCY      worker processes (default 2 x cores + 1)
  GUNICORN_TIMEOUT     seconds a request may run before its worker is killed and replaced
  GUNICORN_BIND        address to listen on
  DATABASE_STATEMENT_TIMEOUT  PostgreSQL's limit on one query of a web request
docs/scaling-web.md explains the choices and what the reverse proxy in front must do.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Sync workers: one request at a time each, so a slow request holds one worker and no more;
# the reverse proxy buffers requests and responses, so slow clients hold none (see docs).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# The hard limit: a worker silent for this long (a request running away) is killed and
# replaced; the client gets 502 from the proxy and every other worker keeps answering.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# The soft limit, below the hard one: PostgreSQL cancels any one query of a web request
# after this, so the request ends in a 500 page (logged) and the worker lives on. Only web
# processes get it (Celery's sweeps and exports are not web requests); read by
# cpcases/settings/production.py.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", f"{max(timeout - 5, 1)}s")

# A worker is replaced after this many requests (jittered so they do not all restart
# together): memory a long-lived process accumulates is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Bounds on what a client may send before Django sees it.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The proxy sets X-Forwarded-Proto; trust it from anywhere only inside the container network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The time each request took, in microseconds (%(D)s), for slow-request spotting in logs.
access_log_format = os.environ.get("GUNICORN_ACCESS_FORMAT", '%(h)s "%(r)s" %(s)s %(b)s %(D)sus')


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded the application: every URL pattern's view imported, then
    what the process holds by now frozen out of the garbage collector's full passes.

    Why (issue 13 §2): a full collection walked every object the worker had made since it
    started, about 250,000 of them, mostly Django's and the application's own modules, in
    about 90 ms of one request (200 ms under load), and it fell on the pages that allocate
    most; in the load benchmark those pauses were the slowest twentieth of the Conferences
    and Audit tabs. Frozen, the objects made at start-up (they live as long as the worker)
    are left out of every pass; what requests make is collected as before."""
    import gc

    from django.urls import get_resolver

    get_resolver()._populate()  # imports every view module, as the first request would
    gc.collect()
    gc.freeze()
