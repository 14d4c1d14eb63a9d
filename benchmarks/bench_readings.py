"""``enumerate_readings`` on the embedded evidence: old code vs new, in one process.

Run from the repository root: ``uv run python benchmarks/bench_readings.py``.

The *old* ``lifecycle/evidence/readings.py`` is read from commit ``OLD_REF`` (``git
show``; before the readings were deduplicated by a hashable key instead of a DataFrame
per reading) and loaded as a module of its own beside the working tree's; both use the
rest of the working tree. CPU seconds (``time.process_time``) of enumerating every
question's readings, twice each, alternating; whether the two give the same readings.
The load average is printed: CPU time grows when other jobs share the cores.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tempfile
import time
from pathlib import Path

from lifecycle.evidence import readings as new

OLD_REF = "5d4e7a2"  # main before the hashable key (issue 13)


def _old_module():
    src = subprocess.run(
        ["git", "show", f"{OLD_REF}:lifecycle/evidence/readings.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_readings.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("old_readings", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    old = _old_module()
    questions = list(new.QUESTIONS)
    for q in questions:  # warm the evidence tables' caches
        new.enumerate_readings(q)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'round':>5} {'code':>4} {'CPU s':>6} {'readings':>8}")
    for rnd in range(2):
        for name, mod in (("old", old), ("new", new)):
            t = time.process_time()
            res = [mod.enumerate_readings(q) for q in questions]
            dt = time.process_time() - t
            print(f"{rnd:>5} {name:>4} {dt:>6.2f} {sum(map(len, res)):>8}")
    same = [new.enumerate_readings(q) for q in questions] == [
        old.enumerate_readings(q) for q in questions
    ]
    print(f"same readings: {same}")


if __name__ == "__main__":
    main()
