"""Per-page cost in one process (issue 13 §2): median wall and CPU time and SQL queries of
every page the load benchmark requests, through the Django test client under the load
benchmark's settings, each as a ratio to the floor's. A quiet companion of bench_load.py for
before/after comparisons on a busy machine (no gunicorn, no queueing).

    .venv/bin/python bench/time_pages.py --children 300 --known 2000 [--repeat 7] [--json out]

Needs the database bench_load.py built for that size (run it once first).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


# On the 2-core machine, a page's worker p95 under bench_load.py was 15.7 ms + 4.3 x its wall
# here (r = 0.97 over 66 pages, docs/scaling-web.md "The seventh pass"): a page whose wall is
# over 4.3 x the floor's here is likely over 3 x the floor's worker p95 there.
UNDER_LOAD_LINE = 4.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--known", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", default="", help="substring of page names to time")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    import bench_load

    env = bench_load._environment(8799, f"{bench_load.BENCH_DB}_{args.children}_{args.known}")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cpcases.accounts.models import User

    targets = bench_load._targets()
    clients = {}
    for username in ("bench-tm-0", "bench-sw-00", "bench-pdo"):
        user = User.objects.get(username=username)
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="localhost")
        client.force_login(user)
        clients[user.role] = client
    results = {}
    for target in targets:
        if args.only and args.only not in target["name"] and not target["name"].startswith(
                "floor"):
            continue
        for role, client in clients.items():
            if not bench_load.requested_by(target["role"], role):
                continue
            walls, cpus = [], []
            queries = 0
            for i in range(args.repeat + 1):
                with CaptureQueriesContext(connection) as captured:
                    w, c = time.perf_counter(), time.thread_time()
                    response = client.get(target["path"], secure=True,
                                          HTTP_ACCEPT="text/html,application/json")
                    c, w = time.thread_time() - c, time.perf_counter() - w
                if response.status_code != 200:
                    break
                if i:  # the first warms caches
                    walls.append(w * 1000)
                    cpus.append(c * 1000)
                queries = len(captured)
            if not walls:
                continue
            results[f"{target['name']} [{role[:2]}]"] = {
                "wall": statistics.median(walls), "cpu": statistics.median(cpus),
                "queries": queries}
    floor = {k: v for k, v in results.items() if k.startswith("floor")}
    fw = statistics.mean(v["wall"] for v in floor.values())
    fc = statistics.mean(v["cpu"] for v in floor.values())
    print(f"floor: wall {fw:.1f} ms, cpu {fc:.1f} ms")
    print(f"{'page':<52} {'wall':>7} {'x':>5} {'cpu':>7} {'x':>5} {'q':>4}")
    over = []
    for name, v in results.items():
        flag = ""
        if v["wall"] / fw > UNDER_LOAD_LINE:
            flag = "  over"
            over.append(name)
        print(f"{name[:52]:<52} {v['wall']:>7.1f} {v['wall'] / fw:>5.1f} {v['cpu']:>7.1f} "
              f"{v['cpu'] / fc:>5.1f} {v['queries']:>4}{flag}")
    print(f"wall over {UNDER_LOAD_LINE}x the floor's (likely above 3x its worker p95 under "
          f"load): {', '.join(over) if over else 'none'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"floor": [fw, fc], "pages": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
