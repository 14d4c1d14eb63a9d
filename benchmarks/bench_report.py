"""CPU time of the main job, ``lifecycle report``, old code against new, in one run.

Run from the repository root: ``uv run python benchmarks/bench_report.py``
(``--only clashes event_attacks --bootstrap 99`` for a quick look; ``--new-only`` to skip
the old code).

The *old* figures come from the code as of commit ``OLD_REF`` (exported with ``git
archive`` into a temporary directory and run in a subprocess on this project's virtual
environment), the *new* ones from the working tree. Both run the same script: the
report's analysis (:func:`lifecycle.report.analyse_evidence` with the command's defaults:
seed 20240601, 999 bootstrap replicates, ``family="auto"``, one process) and
:func:`lifecycle.report.write_report`, timing

* each reading's cell (:func:`lifecycle.report.cells.analyse_cell`), summed per indicator;
* the whole analysis (which also builds every reading's series) and ``write_report``;
* the CPU time of the whole process (imports included), as ``resource`` reports it for
  the subprocess and any worker it starts; the subprocess asks numpy's BLAS for one
  thread, as ``lifecycle report`` does.

It then says how far apart the two reports are: comparison rows fitted in both with
the same log-likelihood, rows fitted in one only, the largest change of a marginal
likelihood in units of its stated Monte Carlo error, the largest change of a posterior
probability under the comparison's prior and under its sensitivity prior, and the
verdicts. Differences come from the other work merged since ``OLD_REF`` too. This
round's speed work changes no maximum-likelihood number and moves the first prior's
marginal likelihoods by less than 1e-4 of their error; the sensitivity prior's
importance-sampled marginal likelihoods are now the first prior's draws reweighted
(``tests/test_bayes_reweight.py``), another Monte Carlo estimate of the same number,
so its posterior probabilities move within their Monte Carlo error.

The issue's target (issues 11 and 13): the report under 30 s of CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

OLD_REF = "3d87cf8"  # main before round 5's report speed work (issue 13), 38-45 s of CPU
ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, sys, time, warnings
    from pathlib import Path
    warnings.simplefilter("ignore")
    import lifecycle.report.analysis as A
    from lifecycle.report import analyse_evidence, write_report

    questions, n_boot, out = json.loads(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    per = {}
    inner = A.analyse_cell

    def timed(series, **cell):
        t = time.process_time()
        try:
            return inner(series, **cell)
        finally:
            q = cell["reading_id"].split("#")[0]
            n, cpu = per.get(q, (0, 0.0))
            per[q] = (n + 1, cpu + time.process_time() - t)

    A.analyse_cell = timed
    t = time.process_time()
    a = analyse_evidence(n_boot=n_boot, questions=questions)
    analysis = time.process_time() - t
    t = time.process_time()
    write_report(a, out / "report")
    write = time.process_time() - t
    comp = a.comparison
    rows = {
        f"{r.reading_id}|{r.definition}": [
            None if v != v else float(v)
            for v in (r.loglik, r.log_ml, r.log_ml_error, r.posterior_prob,
                      r.posterior_prob_alt)
        ]
        for r in comp.itertuples(index=False)
    }
    json.dump(
        {
            "per": per,
            "analysis": analysis,
            "write": write,
            "verdicts": a.verdicts[["indicator", "verdict"]].values.tolist(),
            "rows": rows,
            "md_bytes": (out / "report" / "report.md").stat().st_size,
        },
        open(out / "result.json", "w"),
    )
    """
)


def _run(code_dir: Path | None, questions: list[str], n_boot: int) -> dict:
    """Run SCRIPT on the code in ``code_dir`` (None: the working tree) in a subprocess."""
    env = dict(os.environ)
    if code_dir is not None:
        env["PYTHONPATH"] = str(code_dir)
    # the same source documents for both trees (the exported old tree has no ../shared
    # beside it, so it would skip the provenance re-check that the new one runs)
    seeds = ROOT.parent / "shared" / "seeds"
    if "LIFECYCLE_SEEDS_DIR" not in env and seeds.is_dir():
        env["LIFECYCLE_SEEDS_DIR"] = str(seeds)
    # one BLAS thread, as the command asks for (lifecycle.cli.main): a second thread
    # only spins on the report's small matrices and adds CPU time
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", SCRIPT, json.dumps(questions), str(n_boot), tmp],
            check=True,
            env=env,
            cwd=code_dir or ROOT,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = json.loads((Path(tmp) / "result.json").read_text())
    out["process"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out


def _old_tree(tmp: str, ref: str = OLD_REF) -> Path:
    code = Path(tmp) / "old"
    code.mkdir()
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    return code


def _compare(old: dict, new: dict) -> None:
    """How far the two reports' numbers are apart (other work since OLD_REF counts too)."""
    both = changed = only_old = only_new = 0
    worst = 0.0
    dp = {3: 0.0, 4: 0.0}  # largest change of posterior_prob, posterior_prob_alt
    for key in old["rows"].keys() | new["rows"].keys():
        o = (old["rows"].get(key) or [None] * 5) + [None] * 2
        n = (new["rows"].get(key) or [None] * 5) + [None] * 2
        ll0, ml0, err0, ll1, ml1 = o[0], o[1], o[2], n[0], n[1]
        if ll0 is not None and ll1 is not None:
            both += 1
            changed += abs(ll0 - ll1) > 1e-6
        only_old += ll0 is not None and ll1 is None
        only_new += ll0 is None and ll1 is not None
        if ml0 is not None and ml1 is not None and err0:
            worst = max(worst, abs(ml0 - ml1) / err0)
        for j in dp:
            if o[j] is not None and n[j] is not None:
                dp[j] = max(dp[j], abs(o[j] - n[j]))
    print(
        f"comparison rows fitted in both: {both} ({changed} with another log-likelihood); "
        f"fitted in the old only: {only_old}; in the new only: {only_new}"
    )
    print(f"largest |log_ml old - new| / stated Monte Carlo error: {worst:.2g}")
    print(
        f"largest change of a posterior probability: {dp[3]:.3f}; under the sensitivity "
        f"prior: {dp[4]:.3f}"
    )
    same = sum(a == b for a, b in zip(old["verdicts"], new["verdicts"], strict=False))
    print(f"verdicts unchanged: {same} of {len(new['verdicts'])}")


def main() -> None:
    from lifecycle.report.analysis import INDICATORS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=999)
    parser.add_argument("--only", nargs="+", default=[q for q, _, _ in INDICATORS])
    parser.add_argument("--new-only", action="store_true", help="skip the old code")
    parser.add_argument(
        "--old-ref", default=OLD_REF, help=f"git revision of the old code (default {OLD_REF})"
    )
    args = parser.parse_args()
    new = _run(None, args.only, args.bootstrap)
    old = None
    if not args.new_only:
        with tempfile.TemporaryDirectory() as tmp:
            old = _run(_old_tree(tmp, args.old_ref), args.only, args.bootstrap)
    print(f"report CPU seconds, old = {args.old_ref} (the code before), new = working tree")
    print(f"{'indicator':<26} {'readings':>8} {'old s':>8} {'new s':>8} {'new s/reading':>14}")
    for q in args.only:
        n, cpu = new["per"].get(q, (0, 0.0))
        o = f"{old['per'][q][1]:8.1f}" if old and q in old["per"] else f"{'—':>8}"
        print(f"{q:<26} {n:>8} {o} {cpu:>8.1f} {cpu / max(n, 1):>14.3f}")
    for label, key in (("analysis, all together", "analysis"), ("write_report", "write"),
                       ("whole process", "process")):  # fmt: skip
        o = f"{old[key]:8.1f}" if old else f"{'—':>8}"
        print(f"{label:<26} {'':>8} {o} {new[key]:>8.1f}")
    print(f"report.md: {new['md_bytes'] / 1000:.1f} KB (limit 40 KB)")
    if old:
        _compare(old, new)
    target = new["process"] < 30
    print(f"target (report under 30 s of CPU): {'met' if target else 'NOT met'}")


if __name__ == "__main__":
    main()
