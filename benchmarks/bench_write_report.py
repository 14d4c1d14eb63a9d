"""CPU time of writing the report (``write_report``) and of its process, old code against new.

Run from the repository root: ``uv run python benchmarks/bench_write_report.py``
(``--only clashes event_attacks --bootstrap 99`` for a quick look).

One analysis (:func:`lifecycle.report.analyse_evidence` with the command's defaults:
seed 20240601, 999 bootstrap replicates, ``family="auto"``) is computed once with the
working tree and pickled. Two trees then write it, each in fresh processes, alternately
(``--repeats`` times each):

* *old*: the working tree (as committed) with the files of the writing work put back as
  they were at ``OLD_REF`` (:data:`WRITE_FILES`: the figures' saving, the document, the
  readings' outcomes and the writer); the analysis code is the same on both sides;
* *new*: the working tree.

Each process imports the report (``lifecycle.report`` and the plotting code), unpickles the
analysis and calls :func:`lifecycle.report.write_report`. The table gives the CPU seconds
of the imports, of ``write_report`` and of the whole process (``resource`` of the child),
the smallest of the repeats and every repeat. Both trees run on this project's virtual
environment: when its installed packages have no bytecode (``.pyc``) and the machine sets
``PYTHONDONTWRITEBYTECODE=1``, every process compiles numpy, pandas, scipy and matplotlib
from source, and the imports say so (see the README's set-up: ``uv sync --compile-bytecode``).

It then checks that the two reports hold the same files (names) and prints the size of
each ``report.md`` (issue 13: under 40 KB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

#: main before round 7's writing work (issue 13; round 4's old side was a2e671e, 12-16 s)
OLD_REF = "3fe2077"
#: The files of the writing work (as they were at OLD_REF on the old side).
WRITE_FILES = (
    "lifecycle/plotting/base.py",
    "lifecycle/report/document.py",
    "lifecycle/report/outcomes.py",
    "lifecycle/report/writer.py",
)
ROOT = Path(__file__).resolve().parents[1]

ANALYSE = textwrap.dedent(
    """
    import json, pickle, sys, warnings
    warnings.simplefilter("ignore")
    from lifecycle.report import analyse_evidence
    questions, n_boot, out = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    a = analyse_evidence(n_boot=n_boot, questions=questions)
    with open(out, "wb") as f:
        pickle.dump(a, f)
    """
)

WRITE = textwrap.dedent(
    """
    import json, pickle, sys, time, warnings
    warnings.simplefilter("ignore")
    t = time.process_time()
    import lifecycle.plotting, lifecycle.report
    from lifecycle.report import write_report
    imports = time.process_time() - t
    with open(sys.argv[1], "rb") as f:
        a = pickle.load(f)
    t = time.process_time()
    files = write_report(a, sys.argv[2])
    write = time.process_time() - t
    print(json.dumps({"imports": imports, "write": write,
                      "files": sorted(str(p.relative_to(sys.argv[2])) for p in files)}))
    """
)


def _old_tree(tmp: Path) -> Path:
    """The committed working tree with WRITE_FILES as they were at OLD_REF."""
    code = tmp / "old"
    code.mkdir()
    archive = subprocess.run(
        ["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    for path in WRITE_FILES:
        text = subprocess.run(
            ["git", "show", f"{OLD_REF}:{path}"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        (code / path).write_bytes(text)
    return code


def _run(code: str, args: list[str], code_dir: Path) -> tuple[str, float]:
    """Run ``code`` in a fresh process on the tree ``code_dir``; its stdout and CPU seconds."""
    env = dict(os.environ, PYTHONPATH=str(code_dir))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        env=env,
        cwd=code_dir,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu


def _bytecode_state() -> str:
    site = Path(sysconfig.get_paths()["purelib"])
    compiled = any((site / "pandas" / "__pycache__").glob("*.pyc"))
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    return (
        f"installed packages {'compiled to bytecode' if compiled else 'without bytecode'}; "
        f"PYTHONDONTWRITEBYTECODE={flag or 'unset'}"
    )


def main() -> None:
    from lifecycle.report.analysis import INDICATORS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=999)
    parser.add_argument("--only", nargs="+", default=[q for q, _, _ in INDICATORS])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        trees = {"old": _old_tree(tmp), "new": ROOT}
        pkl = tmp / "analysis.pkl"
        _, cpu = _run(ANALYSE, [json.dumps(args.only), str(args.bootstrap), str(pkl)], ROOT)
        print(f"analysis (once, new code): {cpu:.1f} s of CPU; {_bytecode_state()}")
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for k in range(args.repeats):
            for side, tree in trees.items():
                out = tmp / f"{side}{k}"
                stdout, cpu = _run(WRITE, [str(pkl), str(out)], tree)
                res = json.loads(stdout.strip().splitlines()[-1])
                res["process"] = cpu
                res["md"] = (out / "report.md").stat().st_size
                runs[side].append(res)
    n_figures = sum(1 for p in runs["new"][0]["files"] if p.endswith(".svg"))
    print(f"write_report CPU seconds, old = {OLD_REF} writing files, new = working tree")
    print(f"(smallest of {args.repeats} runs each, alternating; every run in brackets)")
    print(f"{'':<26} {'old s':>8} {'new s':>8}   old runs / new runs")
    for label, key in (("imports", "imports"), ("write_report", "write"),
                       ("whole process", "process")):  # fmt: skip
        old = [r[key] for r in runs["old"]]
        new = [r[key] for r in runs["new"]]
        print(
            f"{label:<26} {min(old):>8.2f} {min(new):>8.2f}   "
            f"[{', '.join(f'{v:.2f}' for v in old)}] / [{', '.join(f'{v:.2f}' for v in new)}]"
        )
    same = runs["old"][0]["files"] == runs["new"][0]["files"]
    print(f"same files in both reports: {'yes' if same else 'NO'} ({n_figures} figures)")
    print(
        f"report.md: old {runs['old'][0]['md'] / 1000:.1f} KB, "
        f"new {runs['new'][0]['md'] / 1000:.1f} KB (limit 40 KB)"
    )


if __name__ == "__main__":
    main()
