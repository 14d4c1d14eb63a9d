"""PELT on n = 100,000 Poisson counts: the old code against the working tree, same run.

Run from the repository root: ``uv run python benchmarks/bench_pelt.py`` (about half a
minute). Issue 11 asks for "PELT on n = 100,000 under 1 s on an idle machine" (it was
0.66 s before the round-2 work, then 1.33 s on a loaded machine).

Both versions run the same script in a subprocess, one after the other: the *old* code
is ``main`` at ``OLD_REF`` (exported with ``git archive``, as ``bench_fits.py`` does),
the *new* one the working tree. Data: 100,000 Poisson counts in 200 segments of 500
(rates drawn once from ``default_rng(2024)``), ``detect(family="poisson",
method="pelt", penalty=2 log n)`` -- the family is named, so the new default
``family="auto"`` (which first tests for overdispersion) is not what is timed. CPU time
(``time.process_time``) is the best of 5 runs; wall time is printed beside it, since on
a shared machine wall time measures the neighbours. The breaks must be the same.
"""

from __future__ import annotations

import os
import tempfile
import textwrap

from _oldcode import export, run_result

OLD_REF = "0fdb97b"  # main before the one-engine work (issue 11), as in bench_fits.py
RUNS = 5

SCRIPT = textwrap.dedent(
    f"""
    import json, math, time, warnings
    import numpy as np
    from lifecycle.changepoints import detect

    n = 100_000
    rng = np.random.default_rng(2024)
    rates = rng.uniform(2.0, 25.0, n // 500)
    y = rng.poisson(np.repeat(rates, 500)).astype(float)
    pen = 2.0 * math.log(n)
    out = {{"cpu": [], "wall": []}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detect(y[:2000], family="poisson", method="pelt", penalty=pen)  # warm up
        for _ in range({RUNS}):
            c0, t0 = time.process_time(), time.perf_counter()
            seg = detect(y, family="poisson", method="pelt", penalty=pen)
            out["cpu"].append(time.process_time() - c0)
            out["wall"].append(time.perf_counter() - t0)
    out["breaks"] = [int(b) for b in seg.break_index]
    out["cost"] = float(seg.cost)
    print("RESULT" + json.dumps(out))
    """
)


def _run(path: str) -> dict:
    out = run_result(SCRIPT, cwd=path, pythonpath=path)
    if isinstance(out, str):
        raise RuntimeError(out)
    return out


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        export(root, OLD_REF, tmp)
        old = _run(tmp)
    new = _run(root)
    print(f"PELT, Poisson, n = 100,000, 199 true changes, penalty 2 log n (best of {RUNS})")
    print(f"{'code':<22}{'cpu s':>8}{'wall s':>8}{'changes':>9}  same breaks")
    for label, res in ((f"old ({OLD_REF})", old), ("new (working tree)", new)):
        same = "yes" if res["breaks"] == old["breaks"] else "NO"
        print(
            f"{label:<22}{min(res['cpu']):8.3f}{min(res['wall']):8.3f}"
            f"{len(res['breaks']):>9}  {same}"
        )
    print(f"new / old CPU: {min(new['cpu']) / min(old['cpu']):.2f}")


if __name__ == "__main__":
    main()
