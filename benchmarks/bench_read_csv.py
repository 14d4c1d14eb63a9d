"""Benchmark of reading series CSV files at the edge of their size (issue 15).

Run from the project root::

    uv run python benchmarks/bench_read_csv.py             # old reader limited to 120 s
    uv run python benchmarks/bench_read_csv.py --old-limit 30

Files (written to a temporary folder):

* ``20mb-distinct``: 2,000,000 rows ``year,count`` with years 1 … 2,000,000 (20 MB), the
  file of the issue: the old reader spent minutes on it; the new one must refuse it at
  once (more rows than a series may hold, and years beyond 9999);
* ``20mb-repeated``: 2,000,000 rows of one year (16 MB);
* ``1m-rows``: 1,000,000 rows (the ceiling ``MAX_SERIES_ROWS``): parsed, then refused
  because a yearly series has at most 9,999 periods;
* ``9999-years``: the largest yearly series (years 1 … 9999), read;
* ``monthly-10000``: 10,000 months (833 years), read.

Each read runs in a fresh Python process, so its peak memory (``ru_maxrss``) is its own;
the table gives wall time, CPU time, peak RSS, and the peak RSS of a process that only
imports lifecycle (the baseline included in every peak). "Old" is the reader of commit
``e11ffa6`` (before issue 15), loaded from git at run time; runs over ``--old-limit``
seconds are stopped and shown as ``> limit``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OLD_COMMIT = "e11ffa6"
ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time, importlib.util
kind, path = sys.argv[1], sys.argv[2]
import lifecycle
from lifecycle.errors import LifecycleError
if kind == "import":
    reader = None
elif kind == "old":
    spec = importlib.util.spec_from_file_location("old_countseries", sys.argv[3])
    mod = importlib.util.module_from_spec(spec); sys.modules["old_countseries"] = mod
    spec.loader.exec_module(mod)
    reader = mod.CountSeries.read_csv
else:
    reader = lifecycle.CountSeries.read_csv
t0, c0 = time.perf_counter(), time.process_time()
outcome = "imported"
if reader is not None:
    try:
        s = reader(path)
        outcome = f"read {s.n_obs} observations"
    except LifecycleError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[-1][:70]
    except Exception as exc:  # the old reader's failures
        outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "cpu": cpu, "rss_mb": rss, "outcome": outcome}))
"""


def _files(folder: Path) -> dict[str, Path]:
    specs = {
        "20mb-distinct": "".join(f"{y},3\n" for y in range(1, 2_000_001)),
        "20mb-repeated": "2010,3\n" * 2_000_000,
        "1m-rows": "".join(f"{2000 + k % 20},3\n" for k in range(1_000_000)),
        "9999-years": "".join(f"{y},{y % 7}\n" for y in range(1, 10_000)),
    }
    out = {}
    for name, body in specs.items():
        path = folder / f"{name}.csv"
        path.write_text("year,count\n" + body)
        out[name] = path
    months = "".join(f"{1200 + k // 12:04d}-{k % 12 + 1:02d},{k % 5}\n" for k in range(10_000))
    out["monthly-10000"] = folder / "monthly-10000.csv"
    out["monthly-10000"].write_text("month,count\n" + months)
    return out


def _run(kind: str, path: Path, old_src: Path, limit: float) -> dict[str, object]:
    cmd = [sys.executable, "-c", CHILD, kind, str(path), str(old_src)]
    t0 = time.perf_counter()
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"wall": time.perf_counter() - t0, "cpu": float("nan"), "rss_mb": float("nan"),
                "outcome": f"> {limit:g} s (stopped)"}  # fmt: skip
    if run.returncode != 0:
        return {"wall": float("nan"), "cpu": float("nan"), "rss_mb": float("nan"),
                "outcome": "crashed: " + run.stderr.strip().splitlines()[-1][:70]}  # fmt: skip
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-limit", type=float, default=120.0, help="seconds per old read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_src = folder / "old_countseries.py"
        old_src.write_text(
            subprocess.run(
                ["git", "show", f"{OLD_COMMIT}:lifecycle/series/countseries.py"],
                capture_output=True, text=True, check=True, cwd=ROOT,
            ).stdout
        )  # fmt: skip
        base = _run("import", old_src, old_src, 300.0)
        print(f"baseline (import lifecycle only): peak RSS {base['rss_mb']:.0f} MB\n")
        rows = []
        for name, path in _files(folder).items():
            size = path.stat().st_size / 1e6
            for kind in ("new", "old"):
                r = _run(kind, path, old_src, args.old_limit if kind == "old" else 300.0)
                rows.append((name, f"{size:.1f}", kind, r))
                print(f"{name:14s} {kind}: {r}", file=sys.stderr, flush=True)
    print(f"{'file':14s} {'MB':>5s} {'reader':6s} {'wall s':>8s} {'cpu s':>7s} "
          f"{'peak MB':>8s}  outcome")  # fmt: skip
    for name, size, kind, r in rows:
        print(f"{name:14s} {size:>5s} {kind:6s} {r['wall']:8.2f} {r['cpu']:7.2f} "
              f"{r['rss_mb']:8.0f}  {r['outcome']}")  # fmt: skip


if __name__ == "__main__":
    main()
