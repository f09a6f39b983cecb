"""Run every benchmark in bench/ and print their figures (`make bench`).

Each benchmark is its own script so it can also be run alone. The sweep benchmark needs
PostgreSQL: it uses DATABASE_URL's server (or the embedded one) and its own database.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_calendar.py", "bench_sweep.py", "bench_mywork.py", "bench_search.py",
              "bench_returns.py"]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / name)],
                                 check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
