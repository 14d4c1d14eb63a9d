"""Run one analysis over many count series, locally or on a Dask cluster.

A *sweep* applies a chosen analysis (change points, wave comparison, resurgence test,
or any callable) to every series of a collection — typically one series per group of
an event export with enough events — and collects one tidy ``pandas.DataFrame``.

Design
------
* **Failures are data.** An exception raised by the analysis for one series (a
  :class:`~lifecycle._core.errors.LifecycleError` such as a series too short or all zeros,
  or any other ``Exception``) becomes a row with ``status="error"``, the exception's
  type and message; it never aborts the sweep and never vanishes. Warnings raised
  while a series is analysed are kept in its ``warnings`` column. The sweep's own bad
  parameters (``n_jobs=0``, an unknown analysis, an option the analysis does not take)
  raise at once.
* **Seeds per series, not per worker.** Each series gets its own seed, derived with
  ``numpy.random.SeedSequence`` from the sweep's ``seed`` and the series *name*
  (``SeedSequence(seed, spawn_key=(h(name),))`` with ``h`` a fixed BLAKE2b hash). The
  result for a series therefore does not depend on the number of workers, on
  chunking, on the order of the series, nor on which other series are in the sweep:
  re-running with another ``min_events`` gives the same numbers for the groups that
  remain. The integer seed handed to the analysis is stored in the ``seed`` column, so
  one row can be reproduced alone (``test_resurgence(s, seed=row.seed)``).
* **Existing engines, no home-made scheduler.** Local processes go through joblib's
  ``loky`` backend; a Dask ``distributed.Client`` (or a scheduler address) sends the
  same chunks of series to a cluster. Series are grouped in chunks to amortise the
  per-task overhead; the chunk size changes neither the rows nor their order.
  Within one process series are analysed one at a time (capturing warnings is
  process-wide), so Dask workers should have one thread each.

Complexity: the sweep adds O(n_series) bookkeeping; the time is the analyses' own.

References
----------
.. [1] O'Neill, M. E. (2015). Developing a seed_seq alternative (the design behind
   ``numpy.random.SeedSequence``). https://www.pcg-random.org/posts/developing-a-seed_seq-alternative.html;
   NumPy: Parallel random number generation.
   https://numpy.org/doc/stable/reference/random/parallel.html
.. [2] joblib: running Python functions as pipeline jobs. https://joblib.readthedocs.io
.. [3] Dask Development Team (2016). Dask: Library for dynamic task scheduling.
   https://dask.org

Examples
--------
>>> import numpy as np
>>> from lifecycle.series import CountSeries
>>> def total(series, seed):
...     rng = np.random.default_rng(seed)
...     return {"total": series.counts.sum(), "draw": rng.poisson(series.counts.mean())}
>>> groups = {
...     "A": CountSeries.from_counts([2015, 2016, 2017], [4, 9, 3]),
...     "B": CountSeries.from_counts([2015, 2016], [0, 2]),
... }
>>> out = sweep(groups, total, seed=1, progress=False)
>>> out[["series", "status", "total"]].to_dict("list")
{'series': ['A', 'B'], 'status': ['ok', 'ok'], 'total': [16.0, 2.0]}
"""

from __future__ import annotations

import hashlib
import inspect
import math
import sys
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import EmptySeriesError, LifecycleWarning, ParameterError
from lifecycle._core.validation import check_choice, check_int
from lifecycle.series.countseries import CountSeries

__all__ = ["ANALYSES", "RESERVED_COLUMNS", "series_by_group", "series_seed", "sweep"]

#: Columns the sweep itself writes, in this order, before the analysis' columns.
RESERVED_COLUMNS = ("series", "status", "error_type", "error", "warnings", "seed")

Analysis = Callable[..., Any]


# ---------------------------------------------------------------------- analyses
def _resurgence(series: CountSeries, seed: int, **options: Any) -> Any:
    from lifecycle.inference import test_resurgence

    return test_resurgence(series, seed=seed, **options)


def _changepoints(series: CountSeries, seed: int, **options: Any) -> Any:
    from lifecycle.changepoints import test_change

    return test_change(series, seed=seed, **options)


def _segmentation(series: CountSeries, seed: int, **options: Any) -> Any:
    from lifecycle.changepoints import detect

    return detect(series, **options)


def _waves(series: CountSeries, seed: int, **options: Any) -> Any:
    from lifecycle.inference import compare_waves

    return compare_waves(series, **options)


#: Built-in analyses by name: (runner, module, function). The runner hands the series'
#: seed to the analyses that draw random numbers (the bootstrap tests).
ANALYSES: dict[str, tuple[Analysis, str, str]] = {
    "resurgence": (_resurgence, "lifecycle.inference", "test_resurgence"),
    "changepoints": (_changepoints, "lifecycle.changepoints", "test_change"),
    "segmentation": (_segmentation, "lifecycle.changepoints", "detect"),
    "waves": (_waves, "lifecycle.inference", "compare_waves"),
}


def _target(analysis: str) -> Callable[..., Any]:
    import importlib

    _, module, name = ANALYSES[analysis]
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------------- seeding
def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest(), "little")


def series_seed(seed: int, name: str) -> int:
    """The integer seed :func:`sweep` hands to the analysis of the series ``name``.

    ``SeedSequence(seed, spawn_key=(h(name),))`` with ``h`` the 128-bit BLAKE2b hash of
    the UTF-8 name, reduced to a 63-bit integer. It depends only on ``seed`` and the
    name, never on the other series, their order or the workers.

    Parameters
    ----------
    seed : int
        The sweep's seed (>= 0).
    name : str
        The series' name.

    Returns
    -------
    int
        A seed in ``[0, 2**63)``.

    Examples
    --------
    >>> series_seed(1, "A") == series_seed(1, "A") != series_seed(1, "B")
    True
    """
    seed = check_int("seed", seed, func="series_seed", min_value=0)
    if not isinstance(name, str):
        raise TypeError(f"The 'name' parameter of series_seed must be a str. Got {name!r}.")
    ss = np.random.SeedSequence(seed, spawn_key=(_name_key(name),))
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


# ---------------------------------------------------------------------- series per group
def series_by_group(
    table: Any,
    *,
    min_events: int = 1,
    freq: str = "year",
    measure: str = "attacks",
    actor_fields: str = "primary",
    exclude: Iterable[str] = (),
    start: Any = None,
    end: Any = None,
    last_date: Any = None,
) -> dict[str, CountSeries]:
    """One count series per group of an event table with at least ``min_events`` events.

    Each group's series is what :func:`lifecycle.events.events_to_series` gives for the
    table filtered to that group (without the cost of filtering the whole table once per
    group): it runs from the period of the group's first placeable event (or ``start``)
    to the end of the data's coverage, so periods after a group's last event are
    observed zeros, and periods the source does not cover (GTD 1993, after
    ``last_date``) are missing.

    Parameters
    ----------
    table : lifecycle.events.EventTable
        From :func:`~lifecycle.events.read_gtd`, :func:`~lifecycle.events.read_acled` or
        :func:`~lifecycle.events.read_ucdp_ged`, possibly filtered.
    min_events : int, default 1
        Keep groups with at least this many events in the table (events of any date
        precision, counted before placement in periods).
    freq, measure, start, end, last_date
        As in :func:`~lifecycle.events.events_to_series`.
    actor_fields : {"primary", "all", "any_side"}
        Which actor columns name a group, as in :func:`~lifecycle.events.filter_events`:
        ``"primary"`` (GTD ``gname``, ACLED ``actor1``, UCDP ``side_a``), ``"all"``
        (also GTD ``gname2``/``gname3``, ACLED ``assoc_actor_1``) or ``"any_side"`` (also
        the other side). With ``"all"`` an event counts for every group it names.
    exclude : iterable of str
        Actor names that are not groups, e.g. GTD's ``"Unknown"`` or ACLED's
        ``"Unidentified Armed Group (Afghanistan)"``. Nothing is excluded unless listed;
        empty actor names never form a group.

    Returns
    -------
    dict of str to CountSeries
        Keyed and named by the group's name, largest groups first (ties by name): the
        ``series`` argument of :func:`sweep`.

    Warns
    -----
    LifecycleWarning
        Once, when events of some groups cannot be placed in their series (dates too
        coarse for ``freq``), with the number of events and groups; and once naming the
        groups left without any series because none of their events can be placed.

    Raises
    ------
    TypeError
        If ``table`` is not an EventTable.
    ParameterError
        On a bad ``min_events``, ``actor_fields``, ``freq`` or ``measure`` (also a measure
        the source lacks).
    EmptySeriesError
        If no group has ``min_events`` events.

    References
    ----------
    .. [1] START (2021). *Global Terrorism Database Codebook*.

    Examples
    --------
    >>> from lifecycle.events import read_gtd
    >>> table = read_gtd("globalterrorismdb.csv")  # doctest: +SKIP
    >>> groups = series_by_group(table, min_events=50, exclude=["Unknown"])  # doctest: +SKIP
    >>> out = sweep(groups, "resurgence", seed=1, n_jobs=-1, n_boot=999)  # doctest: +SKIP
    """
    from dataclasses import replace

    from lifecycle.events import ACTOR_FIELDS, MEASURES, EventTable, events_to_series

    func = "series_by_group"
    if not isinstance(table, EventTable):
        raise TypeError(
            f"The 'table' parameter of {func} must be an EventTable (from read_gtd, "
            f"read_acled or read_ucdp_ged). Got {type(table).__name__}."
        )
    min_events = check_int("min_events", min_events, func=func, min_value=1)
    check_choice("actor_fields", actor_fields, ACTOR_FIELDS, func=func)
    check_choice("measure", measure, MEASURES, func=func)
    if isinstance(exclude, str):
        raise TypeError(
            f"The 'exclude' parameter of {func} must be a list of names. Got the str "
            f"{exclude!r}; write [{exclude!r}]."
        )
    excluded = {str(x).strip() for x in exclude}
    ev = table.events
    if actor_fields == "primary":
        cells = pd.Series([(a,) for a in ev["actor"]], dtype=object)
    elif actor_fields == "all":
        cells = pd.Series(list(ev["actors"]), dtype=object)
    else:
        cells = pd.Series(
            [a + c for a, c in zip(ev["actors"], ev["counterparts"], strict=True)], dtype=object
        )
    names = cells.explode()
    names = names[names.notna()].astype(str).str.strip()
    names = names[(names != "") & ~names.isin(excluded)]
    positions = names.groupby(names.to_numpy(), sort=False).indices
    rows = {g: np.unique(names.index.to_numpy()[p]) for g, p in positions.items()}
    sizes = sorted(
        ((len(r), g) for g, r in rows.items() if len(r) >= min_events), key=lambda t: (-t[0], t[1])
    )
    if not sizes:
        largest = max((len(r) for r in rows.values()), default=0)
        raise EmptySeriesError(
            f"No group of {table.description} has min_events={min_events} events or more "
            f"(the largest has {largest})."
        )
    out: dict[str, CountSeries] = {}
    unplaced: list[str] = []
    left_out: list[tuple[str, str]] = []
    for _, group in sizes:
        sub = replace(
            table,
            events=ev.iloc[rows[group]].reset_index(drop=True),
            filters=(*table.filters, f"actor {group!r}"),
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LifecycleWarning)
            try:
                s = events_to_series(
                    sub,
                    freq=freq,
                    measure=measure,
                    start=start,
                    end=end,
                    last_date=last_date,
                    name=group,
                )
            except EmptySeriesError:
                unplaced.append(group)
                continue
        for w in caught:
            if issubclass(w.category, LifecycleWarning):
                left_out.append((group, str(w.message)))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        out[group] = s
    if left_out:
        group, message = left_out[0]
        warnings.warn(
            f"Events of {len({g for g, _ in left_out})} groups were left out of their {freq}ly "
            f"{measure} series; lifecycle.events.series_exclusions() lists them per group. "
            f"First: {group!r}: {message}",
            LifecycleWarning,
            stacklevel=2,
        )
    if unplaced:
        shown = ", ".join(repr(g) for g in unplaced[:5]) + (" …" if len(unplaced) > 5 else "")
        warnings.warn(
            f"{len(unplaced)} groups with at least {min_events} events have no {freq}ly "
            f"series because none of their events can be placed in a period: {shown}.",
            LifecycleWarning,
            stacklevel=2,
        )
    if not out:
        raise EmptySeriesError(
            f"No group of {table.description} with min_events={min_events} events has an "
            f"event that can be placed in a {freq}ly series."
        )
    return out


# ---------------------------------------------------------------------- worker side
#: Capturing warnings changes process-wide state, so threads of one process (a Dask
#: worker with several threads) analyse their series one at a time.
_ONE_AT_A_TIME = threading.Lock()


def _as_rows(value: Any) -> list[dict[str, Any]]:
    """Turn what an analysis returned into tidy rows."""
    if hasattr(value, "summary") and callable(value.summary) and not isinstance(value, Mapping):
        value = value.summary()
    if isinstance(value, pd.Series):
        return [value.to_dict()]
    if isinstance(value, pd.DataFrame):
        return [
            dict(zip(map(str, value.columns), row, strict=True)) for row in value.itertuples(False)
        ]
    if isinstance(value, Mapping):
        return [{str(k): v for k, v in value.items()}]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(isinstance(v, Mapping) for v in value):
            return [{str(k): v for k, v in v.items()} for v in value]
    raise TypeError(
        "A sweep analysis must return a dict, a list of dicts, a pandas DataFrame or Series, "
        f"or a result with summary(). Got {type(value).__name__}."
    )


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _run_one(
    func: Analysis, name: str, series: CountSeries, seed: int, options: dict[str, Any]
) -> list[dict[str, Any]]:
    meta: dict[str, Any] = {"series": name}
    with _ONE_AT_A_TIME, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rows = _as_rows(func(series, seed, **options))
            error = None
        except Exception as exc:  # failures are data: recorded, never raised
            rows, error = [{}], exc
    seen = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    meta["status"] = "ok" if error is None else "error"
    meta["error_type"] = None if error is None else type(error).__name__
    meta["error"] = None if error is None else str(error)
    meta["warnings"] = "; ".join(seen)
    meta["seed"] = seed
    out = []
    for row in rows or [{}]:
        full = dict(meta)
        for key, value in row.items():
            if key == "seed" and _scalar(value) == seed:
                continue  # the analysis reports the seed it was given
            full[f"analysis_{key}" if key in RESERVED_COLUMNS else key] = _scalar(value)
        out.append(full)
    return out


def _run_chunk(
    analysis: str | Analysis,
    chunk: list[tuple[str, CountSeries, int]],
    options: dict[str, Any],
) -> list[list[dict[str, Any]]]:
    func = ANALYSES[analysis][0] if isinstance(analysis, str) else analysis
    return [_run_one(func, name, s, seed, options) for name, s, seed in chunk]


# ---------------------------------------------------------------------- boundary
def _collect_series(series: Any) -> list[tuple[str, CountSeries]]:
    if isinstance(series, CountSeries):
        raise TypeError(
            "The 'series' parameter of sweep must be a mapping name -> CountSeries or an "
            "iterable of named CountSeries. Got a single CountSeries; wrap it: "
            "{series.name: series}."
        )
    if isinstance(series, Mapping):
        items = list(series.items())
    elif isinstance(series, Iterable) and not isinstance(series, (str, bytes)):
        items = []
        for s in series:
            if not isinstance(s, CountSeries):
                raise TypeError(
                    "The 'series' parameter of sweep must hold CountSeries. "
                    f"Got an item of type {type(s).__name__}."
                )
            items.append((s.name, s))
    else:
        raise TypeError(
            "The 'series' parameter of sweep must be a mapping name -> CountSeries or an "
            f"iterable of named CountSeries. Got {type(series).__name__}."
        )
    seen: set[str] = set()
    for name, s in items:
        if not isinstance(name, str) or not name:
            raise TypeError(
                "Every series in a sweep needs a non-empty str name (its seed derives from "
                f"it). Got {name!r}."
            )
        if not isinstance(s, CountSeries):
            raise TypeError(f"The series {name!r} must be a CountSeries. Got {type(s).__name__}.")
        if name in seen:
            raise ParameterError(
                f"Series names in a sweep must be unique (each seeds its own series). Got "
                f"{name!r} twice."
            )
        seen.add(name)
    if not items:
        raise EmptySeriesError("The 'series' parameter of sweep holds no series. Got none.")
    return items


def _check_analysis(analysis: Any, options: dict[str, Any]) -> str | Analysis:
    if isinstance(analysis, str):
        if analysis not in ANALYSES:
            listed = ", ".join(repr(a) for a in ANALYSES)
            raise ParameterError(
                f"The 'analysis' parameter of sweep must be one of {listed} or a callable "
                f"(series, seed, **options). Got {analysis!r} instead."
            )
        try:
            target = _target(analysis)
        except (ImportError, AttributeError) as exc:  # module missing or incomplete
            raise ImportError(
                f"The analysis {analysis!r} needs {ANALYSES[analysis][1]}."
                f"{ANALYSES[analysis][2]}, which cannot be imported: {exc}."
            ) from None
        bind_args: tuple[Any, ...] = (None,)
        bind_kw = dict(options)
        if "seed" in inspect.signature(target).parameters:
            bind_kw["seed"] = 0
        where = f"{ANALYSES[analysis][1]}.{ANALYSES[analysis][2]}"
    elif callable(analysis):
        target, bind_args, bind_kw = analysis, (None, 0), dict(options)
        where = getattr(analysis, "__qualname__", repr(analysis))
    else:
        raise TypeError(
            "The 'analysis' parameter of sweep must be a name or a callable "
            f"(series, seed, **options). Got {type(analysis).__name__}."
        )
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):  # builtins without a signature: cannot check
        return analysis
    try:
        sig.bind(*bind_args, **bind_kw)
    except TypeError as exc:
        raise ParameterError(
            f"The options {sorted(options)} do not fit the analysis {where}{sig}: {exc}."
        ) from None
    return analysis


def _check_n_jobs(n_jobs: Any) -> int:
    import joblib

    n_jobs = check_int("n_jobs", n_jobs, func="sweep")
    n_cpu = joblib.cpu_count()
    if n_jobs == 0 or n_jobs < -n_cpu:
        raise ParameterError(
            "The 'n_jobs' parameter of sweep must be a positive int (number of worker "
            f"processes) or a negative one counting back from all {n_cpu} CPUs (-1 = all). "
            f"Got {n_jobs} instead."
        )
    return n_jobs if n_jobs > 0 else n_cpu + 1 + n_jobs


def _dask_client_type() -> type:
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "Running a sweep on Dask needs the optional dependency 'distributed': install "
            "lifecycle[distributed] (pip install 'lifecycle[distributed]')."
        ) from None
    return Client


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="series", file=sys.stderr, disable=not enabled)


def _write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ImportError(
            "Writing a sweep to Parquet needs the optional dependency 'pyarrow': install "
            "lifecycle[parquet] (pip install 'lifecycle[parquet]')."
        ) from None
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        kinds = {type(v) for v in out[col] if v is not None and not _isnan(v)}
        if kinds - {str} and not kinds <= {int, float, bool}:
            # mixed or non-scalar Python objects: Parquet needs one type per column
            out[col] = [None if v is None or _isnan(v) else str(v) for v in out[col]]
    out.to_parquet(path, index=False)


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


# ---------------------------------------------------------------------- public
def sweep(
    series: Mapping[str, CountSeries] | Iterable[CountSeries],
    analysis: str | Analysis,
    *,
    seed: int,
    n_jobs: int = 1,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool = True,
    parquet: str | Path | None = None,
    chunk_size: int | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Run one analysis over many count series and collect a tidy table.

    Parameters
    ----------
    series : mapping of str to CountSeries, or iterable of CountSeries
        The series to analyse, keyed by a unique non-empty name (for an iterable, each
        series' ``name``). :func:`lifecycle.events.series_by_group` builds one per group
        of an event table.
    analysis : {"resurgence", "changepoints", "segmentation", "waves"} or callable
        ``"resurgence"`` runs :func:`lifecycle.inference.test_resurgence` (one row per
        series), ``"changepoints"`` :func:`lifecycle.changepoints.test_change` (one row),
        ``"segmentation"`` :func:`lifecycle.changepoints.detect` (one row per segment)
        and ``"waves"`` :func:`lifecycle.inference.compare_waves` (one row per
        definition; pass ``definitions=[...]``). A callable is called as
        ``analysis(series, seed, **options)`` and returns a dict, a list of dicts, a
        DataFrame (several rows per series) or a result with ``summary()``. It must be
        picklable (a module-level function) to run in other processes.
    seed : int
        Seed of the sweep (>= 0); each series' own seed derives from it and its name
        (:func:`series_seed`).
    n_jobs : int, default 1
        Local worker processes (joblib ``loky``); ``-1`` uses every CPU. ``1`` runs in
        this process. Must stay 1 when a Dask ``client`` or ``scheduler`` is given (the
        cluster decides then).
    client : distributed.Client, optional
        Run on this Dask cluster. Give its workers one thread each and many processes
        (``threads_per_worker=1``): the threads of one process analyse their series
        one at a time, because capturing each series' warnings is process-wide.
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``); a client is opened for the
        sweep and closed after it.
    progress : bool, default True
        Show a tqdm progress bar on stderr.
    parquet : str or path, optional
        Also write the table to this Parquet file (needs ``lifecycle[parquet]``).
    chunk_size : int, optional
        Series per task (default: about four tasks per worker, at most 64 series each).
        It changes neither the rows nor their order.
    **options
        Passed to the analysis (e.g. ``n_boot=999``, ``family="negbin"``).

    Returns
    -------
    pandas.DataFrame
        One row per series (or several, when the analysis returns several), in input
        order, with columns ``series``, ``status`` (``"ok"``/``"error"``),
        ``error_type``, ``error`` (the message), ``warnings`` (``"; "``-joined, empty
        if none), ``seed`` (the series' seed), then the analysis' columns (missing on
        error rows). An analysis column named like one of these is renamed
        ``analysis_<name>``.

    Raises
    ------
    TypeError
        If ``series``, ``analysis`` or ``client`` has the wrong type, or a name is not
        a str.
    ParameterError
        On an unknown analysis, options the analysis does not take, duplicate names,
        ``n_jobs=0``, ``chunk_size < 1``, or ``n_jobs`` together with Dask.
    EmptySeriesError
        If there is no series.
    ImportError
        If Dask or pyarrow is needed and not installed.

    Notes
    -----
    Only exceptions raised *by the analysis for one series* are recorded; problems of
    the sweep itself (a worker process killed, a lost cluster) raise.

    References
    ----------
    .. [1] NumPy: Parallel random number generation.
       https://numpy.org/doc/stable/reference/random/parallel.html

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> groups = {"A": CountSeries.from_counts([2015, 2016], [3, 5])}
    >>> out = sweep(groups, lambda s, seed: {"n": len(s)}, seed=0, progress=False)
    >>> out[["series", "status", "n"]].to_dict("list")
    {'series': ['A'], 'status': ['ok'], 'n': [2]}
    """
    seed = check_int("seed", seed, func="sweep", min_value=0)
    items = _collect_series(series)
    analysis = _check_analysis(analysis, options)
    if client is not None and scheduler is not None:
        raise ParameterError("Give either 'client' or 'scheduler' to sweep, not both. Got both.")
    use_dask = client is not None or scheduler is not None
    if use_dask and n_jobs != 1:
        raise ParameterError(
            "The 'n_jobs' parameter of sweep applies to local processes; with a Dask client "
            f"or scheduler the cluster's workers decide. Leave n_jobs=1. Got {n_jobs!r}."
        )
    n_workers = _check_n_jobs(n_jobs)
    if client is not None and not isinstance(client, _dask_client_type()):
        raise TypeError(
            "The 'client' parameter of sweep must be a dask.distributed.Client. "
            f"Got {type(client).__name__}."
        )
    if scheduler is not None and not isinstance(scheduler, str):
        raise TypeError(
            "The 'scheduler' parameter of sweep must be an address such as "
            f"'tcp://127.0.0.1:8786'. Got {type(scheduler).__name__}."
        )
    chunk_size = check_int("chunk_size", chunk_size, func="sweep", min_value=1, allow_none=True)
    if not isinstance(progress, bool):
        raise TypeError(f"The 'progress' parameter of sweep must be a bool. Got {progress!r}.")

    work = [(name, s, series_seed(seed, name)) for name, s in items]
    desc = f"sweep {analysis if isinstance(analysis, str) else 'analysis'}"
    if use_dask:
        own = client is None
        dask_client = _dask_client_type()(scheduler, set_as_default=False) if own else client
        try:
            n_threads = max(1, sum(dask_client.nthreads().values()))
            size = chunk_size or _auto_chunk(len(work), n_threads)
            results = _run_dask(dask_client, analysis, _chunks(work, size), options, desc, progress)
        finally:
            if own:
                dask_client.close()
    else:
        size = chunk_size or _auto_chunk(len(work), n_workers)
        results = _run_local(analysis, _chunks(work, size), options, n_workers, desc, progress)

    rows = [row for per_series in results for row in per_series]
    frame = pd.DataFrame(rows)
    meta = list(RESERVED_COLUMNS)
    frame = frame[meta + [c for c in frame.columns if c not in meta]]
    text = pd.Series(["x"]).dtype  # the installed pandas' default text dtype
    for col in ("series", "status", "error_type", "error", "warnings"):
        frame[col] = frame[col].astype(text)
    if parquet is not None:
        _write_parquet(frame, parquet)
    return frame


def _auto_chunk(n: int, workers: int) -> int:
    return max(1, min(64, math.ceil(n / (4 * workers))))


def _run_local(
    analysis: str | Analysis,
    chunks: list[list[tuple[str, CountSeries, int]]],
    options: dict[str, Any],
    n_workers: int,
    desc: str,
    progress: bool,
) -> list[list[dict[str, Any]]]:
    total = sum(len(c) for c in chunks)
    out: list[list[dict[str, Any]]] = []
    with _progress(total, desc, progress) as bar:
        if n_workers == 1:
            func = ANALYSES[analysis][0] if isinstance(analysis, str) else analysis
            for chunk in chunks:
                for name, s, sd in chunk:
                    out.append(_run_one(func, name, s, sd, options))
                    bar.update(1)
            return out
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_workers, backend="loky", batch_size=1, return_as="generator")
        for chunk, res in zip(
            chunks,
            parallel(delayed(_run_chunk)(analysis, c, options) for c in chunks),
            strict=True,
        ):
            out.extend(res)
            bar.update(len(chunk))
    return out


def _run_dask(
    client: Any,
    analysis: str | Analysis,
    chunks: list[list[tuple[str, CountSeries, int]]],
    options: dict[str, Any],
    desc: str,
    progress: bool,
) -> list[list[dict[str, Any]]]:
    from distributed import as_completed

    tag = uuid.uuid4().hex
    futures = [
        client.submit(
            _run_chunk, analysis, c, options, key=f"lifecycle-sweep-{tag}-{i}", pure=False
        )
        for i, c in enumerate(chunks)
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(chunks)
    try:
        with _progress(sum(len(c) for c in chunks), desc, progress) as bar:
            for future, res in as_completed(futures, loop=client.loop, with_results=True):
                i = index[future.key]
                results[i] = res
                bar.update(len(chunks[i]))
    finally:
        client.cancel([f for f in futures if not f.done()])
    return [per_series for res in results for per_series in res]
