"""Run every benchmark in bench/ and print their figures (`make bench`).

Each benchmark is its own script so it can also be run alone. They need PostgreSQL: each
uses DATABASE_URL's server (or the embedded one) and its own database.

    make bench                                          # every benchmark, default sizes
    make bench BENCH_ARGS="--only load --load-children 300 --load-known 2000"
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_calendar.py", "bench_sweep.py", "bench_mywork.py", "bench_search.py",
              "bench_returns.py", "bench_load.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[],
                        help="run only this benchmark (e.g. load, sweep); may repeat")
    # The load benchmark's size (issue 13 §1): 1,500 children on plans, 10,000 known.
    parser.add_argument("--load-children", type=int, default=1500)
    parser.add_argument("--load-known", type=int, default=10000)
    parser.add_argument("--load-users", type=int, default=20)
    parser.add_argument("--load-duration", type=int, default=300,
                        help="seconds (five minutes: steady p95s, decision 98)")
    args = parser.parse_args()
    extra = {"bench_load.py": ["--children", str(args.load_children), "--known",
                               str(args.load_known), "--users", str(args.load_users),
                               "--duration", str(args.load_duration)]}
    chosen = [n for n in BENCHMARKS
              if not args.only or n.removeprefix("bench_").removesuffix(".py") in args.only]
    failed = 0
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / name), *extra.get(name, [])],
                                 check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
