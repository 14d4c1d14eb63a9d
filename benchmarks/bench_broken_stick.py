"""The estimated-phase search of a continuous broken stick: old code vs new.

Run from the repository root: ``uv run python benchmarks/bench_broken_stick.py``.

``best_segmentation(s, k, family, shape="broken_stick")`` on seeded NB2 series with two
waves (alpha = 0.3): 60 years with 3 and 4 phases, 120 months with 3 phases, Poisson and
NB. The *old* figures come from ``main`` as of commit ``OLD_REF`` (before the batched
search; exported with ``git archive`` to a temporary directory and run in a
subprocess), the *new* from the working tree, in the same run. CPU seconds of the search
alone (``time.process_time`` around the call; imports excluded), the maximised
log-likelihood, the breaks and how the search went (the fit's note): the old code fits
every segmentation one by one when there are at most 5,000 and otherwise runs an
exchange search (a local optimum); the new one fits every segmentation at once with the
batched Newton of ``lifecycle.models.batch_fit`` and confirms the best with the engine.
The machine's load average is printed: CPU time grows when other jobs share the cores.
"""

from __future__ import annotations

import os
import tempfile
import textwrap

from _oldcode import export, run_result

OLD_REF = "f935979"  # main before the batched search (issue 11, item 8)
TIME_LIMIT = 1800  # seconds for each run of the old or new code

SCRIPT = textwrap.dedent(
    """
    import json, time, warnings
    import numpy as np
    from lifecycle.series import CountSeries
    from lifecycle.models import best_segmentation

    def series(n, freq, seed):
        rng = np.random.default_rng(seed)
        t = np.arange(n)
        rate = 3 + 40 * np.exp(-0.5 * ((t - 0.3 * n) / (n / 10)) ** 2)
        rate = rate + 25 * np.exp(-0.5 * ((t - 0.75 * n) / (n / 12)) ** 2)
        r = 1 / 0.3
        y = rng.poisson(rng.gamma(r, rate / r))
        if freq == "year":
            return CountSeries.from_counts(range(1965, 1965 + n), y)
        labels = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
        return CountSeries.from_counts(labels, y, freq="month")

    out = []
    for n, freq, k, seed in [(60, "year", 3, 601), (60, "year", 4, 602), (120, "month", 3, 1203)]:
        s = series(n, freq, seed)
        for family in ("poisson", "negbin"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                c0 = time.process_time()
                f = best_segmentation(s, k, family=family, shape="broken_stick")
                cpu = time.process_time() - c0
            note = f.definition.note
            out.append({
                "case": f"{n} {freq}s x {k}", "family": family, "cpu": cpu,
                "loglik": f.loglik, "breaks": [str(b) for b in f.definition.break_labels()],
                "how": "exchange (local)" if "exchange" in note else "all segmentations",
            })
    print("RESULT" + json.dumps(out))
    """
)


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"load average at start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        export(root, OLD_REF, tmp)
        old = run_result(SCRIPT, cwd=tmp, pythonpath=tmp, limit=TIME_LIMIT)
    new = run_result(SCRIPT, cwd=root, pythonpath=root, limit=TIME_LIMIT)
    print(f"load average at end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if isinstance(old, str) or isinstance(new, str):
        print("old:", old if isinstance(old, str) else "ok", "| new:", new)
        return
    print()
    print(f"best_segmentation(s, k, family, shape='broken_stick'): old = {OLD_REF}, new = tree")
    head = (
        f"| {'series':16} | {'family':7} | {'old CPU s':>9} | {'new CPU s':>9} | "
        f"{'old loglik':>11} | {'new loglik':>11} | {'old search':18} | {'new search':18} | "
        f"old breaks | new breaks |"
    )
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for o, n in zip(old, new, strict=True):
        print(
            f"| {o['case']:16} | {o['family']:7} | {o['cpu']:9.2f} | {n['cpu']:9.2f} | "
            f"{o['loglik']:11.4f} | {n['loglik']:11.4f} | {o['how']:18} | {n['how']:18} | "
            f"{', '.join(o['breaks'])} | {', '.join(n['breaks'])} |"
        )


if __name__ == "__main__":
    main()
