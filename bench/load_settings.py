"""Production settings, as served, plus one trivial page for the load benchmark's floor.

bench/bench_load.py runs gunicorn with these: everything production does (middleware,
cookies, caches, the statement time-out) and one extra route, /bench/floor/ (bench/load_urls.py).
Plain http on 127.0.0.1: the load tool says X-Forwarded-Proto: https as the proxy would.
"""

import os

from cpcases.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
STATIC_ROOT = os.environ.get("CPCASES_BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
