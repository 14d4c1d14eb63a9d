"""How fast the ``lifecycle`` command starts, and what ``import lifecycle`` loads.

Each case runs in a fresh Python process (``resource.getrusage`` of the child: user +
system CPU seconds), repeated and summarised by the median:

* ``lifecycle --help`` and ``lifecycle --version`` (the command's entry point, as the
  console script calls it);
* ``import lifecycle`` (lazy: names are imported on first use);
* the old eager start for comparison: ``import lifecycle`` followed by touching every
  name of ``lifecycle.__all__`` — what ``import lifecycle`` did before the names became
  lazy (and what every ``lifecycle`` command paid before parsing its arguments).

The table also lists which heavy libraries each case loaded. Target (issue 13):
``--help`` and ``--version`` under 0.5 s of CPU.

Run: ``uv run python benchmarks/bench_startup.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys

HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "ruptures", "joblib")

COMMAND = "from lifecycle.cli import main\nmain([{arg!r}])"

CASES = {
    "lifecycle --help": COMMAND.format(arg="--help"),
    "lifecycle --version": COMMAND.format(arg="--version"),
    "import lifecycle (lazy)": "import lifecycle",
    "import lifecycle + every name (old eager start)": (
        "import lifecycle\nfor n in lifecycle.__all__:\n    getattr(lifecycle, n)"
    ),
}

PROBE = (
    "\nimport sys, json\nprint(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)),"
    " file=sys.stderr)"
)


def run(code: str) -> tuple[float, list[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", code + PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, json.loads(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for name, code in CASES.items():
        times, loaded = [], []
        for _ in range(args.repeat):
            cpu, loaded = run(code)
            times.append(cpu)
        rows.append((name, statistics.median(times), min(times), loaded))
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  median CPU s  min CPU s  heavy libraries loaded")
    for name, med, low, loaded in rows:
        print(f"{name:<{width}}  {med:12.3f}  {low:9.3f}  {', '.join(loaded) or '-'}")
    print(f"(python {sys.version.split()[0]}; {args.repeat} runs each, fresh process per run)")


if __name__ == "__main__":
    main()
