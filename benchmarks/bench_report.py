"""CPU time of the main job, ``lifecycle report``, by indicator and by step.

Runs :func:`lifecycle.report.analyse_evidence` one indicator at a time (same seed and
replicates as the command's defaults), then :func:`lifecycle.report.write_report` on the
whole analysis, and prints the CPU seconds of each with the number of readings, so a
reader sees where the time of the report goes (issue 13's target: under 30 s of CPU).

Run: ``uv run python benchmarks/bench_report.py [--bootstrap N] [--only Q ...]``
(with the defaults it takes as long as the report itself).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    from lifecycle.report import analyse_evidence, write_report
    from lifecycle.report.analysis import INDICATORS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=999)
    parser.add_argument("--only", nargs="+", default=[q for q, _, _ in INDICATORS])
    args = parser.parse_args()
    rows = []
    for q in args.only:
        t = time.process_time()
        a = analyse_evidence(n_boot=args.bootstrap, questions=[q])
        rows.append((q, int(a.indicators["n_readings"].iloc[0]), time.process_time() - t))
    t = time.process_time()
    whole = analyse_evidence(n_boot=args.bootstrap, questions=args.only)
    analysis_cpu = time.process_time() - t
    with tempfile.TemporaryDirectory() as d:
        t = time.process_time()
        files = write_report(whole, Path(d) / "report")
        write_cpu = time.process_time() - t
    print(f"{'indicator':<26} {'readings':>8} {'CPU s':>8} {'CPU s/reading':>14}")
    for q, n, cpu in rows:
        print(f"{q:<26} {n:>8} {cpu:>8.1f} {cpu / n:>14.2f}")
    print(f"{'analysis, all together':<26} {'':>8} {analysis_cpu:>8.1f}")
    print(f"{'write_report':<26} {len(files):>8} {write_cpu:>8.1f}   (files)")
    print(f"{'report total':<26} {'':>8} {analysis_cpu + write_cpu:>8.1f}")


if __name__ == "__main__":
    main()
