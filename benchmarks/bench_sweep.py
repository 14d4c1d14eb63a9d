"""Benchmark of lifecycle.sweep: many synthetic groups, bootstrap tests, 1/2/all workers.

Run from the project root::

    uv run python benchmarks/bench_sweep.py            # full run (1,000 groups, 999 replicates)
    uv run python benchmarks/bench_sweep.py --quick    # about a minute

What it measures, printed as tables at the end of one run:

1. **One test**: the resurgence test on a 10-year series with 9,999 replicates
   (target: under 2 s), best of three.
2. **Scaling with series length**: time of one test at lengths 10–60 with ``n_boot``
   and with ``n_boot / 10`` replicates; the difference gives the cost per bootstrap
   replicate, the rest is the fixed cost per series.
3. **The sweep** over ``--groups`` synthetic groups (10–60 yearly points, mixed shapes
   from :mod:`lifecycle.inference.simulate`) with 1, 2 and all local workers, and optionally on a
   Dask ``LocalCluster`` (``--dask``): wall time (target: under 5 minutes for 1,000
   groups × 999 replicates), time per series and per replicate, peak memory, and
   whether the table is identical to the 1-worker table.
4. **Scaling with the number of series** (all workers).

Each sweep runs in a fresh Python process so that its peak memory is its own: peak RSS
of the main process and the largest peak RSS among its worker processes
(``resource.getrusage``), plus the peak of Python/numpy allocations traced in the main
process (``tracemalloc``, 1-worker runs only, on a separate smaller run so that tracing
does not slow the timed one).

Timings on a shared machine rise with other processes' load, so the tables also give
CPU seconds (``time.process_time`` for single tests; user + system time of the sweep's
main and worker processes for sweeps): they hardly depend on the load, and on an idle
machine a sweep's wall time is about ``cpu_s / workers`` plus the workers' start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle.inference import simulate
from lifecycle.series.countseries import CountSeries
from lifecycle.sweep import sweep

SHAPES = ("flat", "rising", "falling", "single_peak", "two_waves")


# ---------------------------------------------------------------------- synthetic groups
def synthetic_groups(
    n: int, *, seed: int = 2026, min_len: int = 10, max_len: int = 60
) -> dict[str, CountSeries]:
    """``n`` yearly series of mixed shapes, lengths ``min_len``–``max_len``, Poisson or NB2.

    Levels are drawn log-uniformly between 2 and 200 events a year; a fifth of the
    groups are overdispersed (NB2, alpha = 0.1). Shapes cycle through :data:`SHAPES`.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, CountSeries] = {}
    for i in range(n):
        length = int(rng.integers(min_len, max_len + 1))
        level = float(np.exp(rng.uniform(np.log(2), np.log(200))))
        shape = SHAPES[i % len(SHAPES)]
        if shape == "flat":
            rates = simulate.flat(length, level)
        elif shape == "rising":
            rates = simulate.rising(length, level / 5, level)
        elif shape == "falling":
            rates = simulate.falling(length, level, level / 5)
        elif shape == "single_peak":
            rates = simulate.single_peak(length, level / 5, level, peak_at=rng.uniform(0.2, 0.8))
        else:
            rates = simulate.two_waves(length, level / 5, level, level / 4, level)
        nb = rng.random() < 0.2
        name = f"group{i:04d}-{shape}"
        out[name] = simulate.simulate_series(
            rates,
            start=2020 - length,
            family="negbin" if nb else "poisson",
            dispersion=0.1 if nb else None,
            seed=rng,
            name=name,
        )
    return out


# ---------------------------------------------------------------------- child process
def _child(args: argparse.Namespace) -> None:
    """One sweep in this (fresh) process; prints a JSON line of measurements."""
    groups = synthetic_groups(args.groups, seed=args.data_seed)
    options: dict[str, Any] = {"n_boot": args.n_boot}
    if args.analysis == "resurgence":
        options["family"] = args.family
    traced = None
    if args.trace:
        import tracemalloc

        tracemalloc.start()
        sweep(groups, args.analysis, seed=args.seed, progress=False, **options)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    client = cluster = None
    if args.workers == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        client = Client(cluster, set_as_default=False)
        run_kw: dict[str, Any] = {"client": client}
    else:
        run_kw = {"n_jobs": int(args.workers)}
    cpu0 = _cpu()
    start = time.perf_counter()
    out = sweep(groups, args.analysis, seed=args.seed, progress=args.progress, **run_kw, **options)
    wall = time.perf_counter() - start
    if client is not None:
        client.close()
        cluster.close()
    else:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)  # so that workers count in RUSAGE_CHILDREN
    cpu = _cpu() - cpu0
    kib = 1024 if sys.platform != "darwin" else 1
    rss_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib
    rss_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib
    out.to_parquet(args.out, index=False)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "rss_main": rss_main,
                "rss_worker": rss_worker,
                "traced": traced,
                "ok": int((out["status"] == "ok").sum()),
                "errors": int((out["status"] == "error").sum()),
                "points": int(sum(len(s) for s in groups.values())),
            }
        )
    )


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its reaped children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _run_child(base: argparse.Namespace, workers: str, groups: int, out: Path, trace: bool):
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--workers",
        workers,
        "--groups",
        str(groups),
        "--n-boot",
        str(base.n_boot),
        "--family",
        base.family,
        "--analysis",
        base.analysis,
        "--seed",
        str(base.seed),
        "--data-seed",
        str(base.data_seed),
        "--out",
        str(out),
    ]
    if trace:
        cmd.append("--trace")
    if base.progress:
        cmd.append("--progress")
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- single tests
def _time(func: Any, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time of ``repeat`` calls."""
    wall = cpu = np.inf
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        func()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return float(wall), float(cpu)


def _single_tests(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    from lifecycle.inference.resurgence import test_resurgence

    ten = simulate.simulate_series(simulate.two_waves(10, 10, 60, 15, 60), seed=1, name="ten")
    test_resurgence(ten, n_boot=9, seed=0)  # warm-up (imports, caches)
    big = 9_999
    rows = []
    for fam in ("poisson", "negbin"):
        wall, cpu = _time(lambda f=fam: test_resurgence(ten, n_boot=big, seed=1, family=f), 3)
        rows.append(
            {
                "test": f"resurgence ({fam}), 10 years, {big:,} replicates",
                "seconds": wall,
                "cpu_seconds": cpu,
                "target_s": 2.0 if fam == "poisson" else None,
            }
        )
    one = pd.DataFrame(rows)
    one["meets_target"] = [
        None if t is None or np.isnan(t) else bool(s < t)
        for s, t in zip(one["seconds"], one["target_s"], strict=True)
    ]
    rows = []
    lengths = (10, 20, 30, 40, 50, 60) if not args.quick else (10, 30, 60)
    b_hi, b_lo = args.n_boot, max(1, args.n_boot // 10)
    for n in lengths:
        s = simulate.simulate_series(simulate.single_peak(n, 10, 60), seed=n, name=f"len{n}")
        w_hi, t_hi = _time(
            lambda s=s: test_resurgence(s, n_boot=b_hi, seed=1, family=args.family), 3
        )
        _, t_lo = _time(lambda s=s: test_resurgence(s, n_boot=b_lo, seed=1, family=args.family), 3)
        per_rep = (t_hi - t_lo) / (b_hi - b_lo)
        rows.append(
            {
                "length": n,
                f"s_per_series_at_{b_hi}": w_hi,
                f"cpu_s_per_series_at_{b_hi}": t_hi,
                "cpu_ms_per_replicate": 1e3 * per_rep,
                "cpu_ms_fixed_per_series": 1e3 * max(t_hi - b_hi * per_rep, 0.0),
            }
        )
    return one, pd.DataFrame(rows)


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="200 groups, 199 replicates")
    p.add_argument("--groups", type=int, default=None, help="number of groups (default 1000)")
    p.add_argument("--n-boot", type=int, default=None, help="replicates (default 999)")
    p.add_argument("--family", default="poisson", choices=("poisson", "negbin"))
    p.add_argument("--analysis", default="resurgence", choices=("resurgence", "changepoints"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-seed", type=int, default=2026)
    p.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster")
    p.add_argument("--progress", action="store_true", help="show the sweeps' progress bars")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--workers", default="1", help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    p.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child(args)
        return
    args.groups = args.groups or (200 if args.quick else 1000)
    args.n_boot = args.n_boot or (199 if args.quick else 999)
    n_cpu = os.cpu_count() or 1
    print(
        f"lifecycle sweep benchmark: {args.groups} groups, {args.n_boot} replicates, "
        f"analysis={args.analysis}, family={args.family}, {n_cpu} CPUs, "
        f"numpy {np.__version__}, Python {sys.version.split()[0]}, "
        f"load average {_load()} at start",
        flush=True,
    )
    started = time.perf_counter()
    if args.analysis == "resurgence":
        one, lengths = _single_tests(args)
    else:
        one = lengths = None

    workers = ["1", "2"] + ([str(n_cpu)] if n_cpu > 2 else [])
    if args.dask:
        workers.append("dask")
    trace_groups = max(20, args.groups // 10)
    sweeps, tables = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in workers:
            path = Path(tmp) / f"sweep-{w}.parquet"
            m = _run_child(args, w, args.groups, path, trace=False)
            tables[w] = pd.read_parquet(path)
            label = {"dask": f"Dask LocalCluster ({n_cpu} procs)"}.get(w, w)
            if w == str(n_cpu):
                label += " (all)"
            sweeps.append((label, m))
            print(f"  sweep with {label} worker(s): {m['wall']:.1f} s", flush=True)
        traced = _run_child(args, "1", trace_groups, Path(tmp) / "trace.parquet", trace=True)
        scaling = []
        counts = sorted({max(10, args.groups // 10), max(10, args.groups * 3 // 10)})
        all_w = str(n_cpu)
        for k in counts:
            m = _run_child(args, all_w, k, Path(tmp) / f"scale-{k}.parquet", trace=False)
            scaling.append((k, m))
        full = next(m for label, m in sweeps if label.startswith(all_w) or label.endswith(all_w))
        scaling.append((args.groups, full))

    reference = tables["1"]
    rows = []
    for (label, m), w in zip(sweeps, workers, strict=True):
        same = tables[w].equals(reference)
        rows.append(
            {
                "workers": label,
                "wall_s": m["wall"],
                "cpu_s": m["cpu"],
                "ms_per_series": 1e3 * m["wall"] / args.groups,
                "us_per_replicate": 1e6 * m["wall"] / (args.groups * args.n_boot),
                "peak_rss_main_MB": m["rss_main"] / 2**20,
                "peak_rss_worker_MB": m["rss_worker"] / 2**20 if w != "1" else None,
                "ok": m["ok"],
                "errors": m["errors"],
                "identical_to_1_worker": same,
                "under_5_min": m["wall"] < 300,
            }
        )
    sweep_table = pd.DataFrame(rows)
    scale_table = pd.DataFrame(
        [
            {
                "groups": k,
                "yearly_points": m["points"],
                "wall_s": m["wall"],
                "cpu_s": m["cpu"],
                "ms_per_series": 1e3 * m["wall"] / k,
            }
            for k, m in scaling
        ]
    )
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    fmt = {"float_format": lambda x: f"{x:,.3f}", "index": False}
    print()
    if one is not None:
        print("One resurgence test (best of 3)")
        print(one.to_string(**fmt))
        print()
        print(
            f"Scaling with series length (family={args.family}, best of 3; per replicate = "
            f"difference between {args.n_boot} and {max(1, args.n_boot // 10)} replicates)"
        )
        print(lengths.to_string(**fmt))
        print()
    print(
        f"Sweep: {args.groups} synthetic groups (10–60 yearly points, mixed shapes), "
        f"{args.analysis}, {args.n_boot} replicates each"
    )
    print(sweep_table.to_string(**fmt))
    print(
        f"Python/numpy allocations traced in one process (tracemalloc), {trace_groups} "
        f"groups: peak {traced['traced'] / 2**20:,.1f} MB"
    )
    print()
    print(f"Scaling with the number of series ({all_w} workers)")
    print(scale_table.to_string(**fmt))
    print(
        f"\nTotal benchmark time: {time.perf_counter() - started:,.0f} s; load average "
        f"{_load()} at the end (other processes on the machine slow every timing)."
    )


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # not available on this platform
        return "n/a"


if __name__ == "__main__":
    main()
