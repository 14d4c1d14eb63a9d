"""A wave fit's result tables: phase rates, rate ratios and fitted rates per period.

The tables are pure functions of a fit's design, estimate and covariance
(:func:`lifecycle.models.fitcore.fit_fixed`); :class:`FitTables` builds them when a fit's
table is first read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from lifecycle.models.design import Design
from lifecycle.models.waves import WaveDefinition
from lifecycle.series.countseries import to_label

__all__ = ["FitTables", "estimable"]


def _exp(x: float) -> float:
    """``exp`` that returns ``inf`` quietly on overflow (an unbounded CI)."""
    with np.errstate(over="ignore"):
        return float(np.exp(x))


def estimable(c: np.ndarray, null: np.ndarray | None) -> bool:
    """Whether the linear combination ``c`` of the parameters is identified.

    ``null`` holds the flat directions of the information (columns; ``None`` or no
    column: everything is identified). ``c`` (zero-padded to the parameter vector) is
    identified when it is orthogonal to every flat direction.
    """
    if null is None or null.shape[1] == 0:
        return True
    c_full = np.zeros(null.shape[0])
    c_full[: c.size] = c
    return bool(np.linalg.norm(null.T @ c_full) <= 1e-6 * max(np.linalg.norm(c_full), 1e-300))


def _phase_rate_table(
    d: Design,
    definition: WaveDefinition,
    theta: np.ndarray,
    cov_theta: np.ndarray,
    p: int,
    z: float,
    null: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rate of each phase per measure with its Wald interval on the log scale."""
    cols: dict[str, list] = {k: [] for k in _RATE_COLUMNS}
    th = np.nan_to_num(theta, neginf=0.0)
    years = [ph.text() for ph in definition.phases]
    for m_i, m in enumerate(d.measures):
        for j, ph in enumerate(definition.phases):
            c = np.zeros(theta.size)
            c[:p] = d.contrasts[j]
            if m_i > 0:
                c[p + m_i - 1] = 1.0
            est = float(c @ th)
            se = float(np.sqrt(max(c @ cov_theta @ c, 0.0)))
            if not estimable(c, null):
                est = se = np.nan
            for k, v in zip(
                _RATE_COLUMNS,
                (m, ph.name, years[j], np.exp(est), np.exp(est - z * se), _exp(est + z * se),
                 est, se),
                strict=True,
            ):  # fmt: skip
                cols[k].append(v)
    return pd.DataFrame(cols) if cols["measure"] else pd.DataFrame([])


_RATE_COLUMNS = [
    "measure",
    "phase",
    "years",
    "rate",
    "ci_low",
    "ci_high",
    "log_rate",
    "se_log_rate",
]
_RATIO_COLUMNS = [
    "from_phase",
    "to_phase",
    "ratio",
    "ci_low",
    "ci_high",
    "log_ratio",
    "se_log_ratio",
    "p_value",
]


def _rate_ratio_table(
    d: Design,
    definition: WaveDefinition,
    beta: np.ndarray,
    cov_b: np.ndarray,
    z: float,
    null: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rate ratio of each phase to the one before, with its Wald interval and p-value."""
    cols: dict[str, list] = {k: [] for k in _RATIO_COLUMNS}
    for j in range(1, definition.n_phases):
        c = d.contrasts[j] - d.contrasts[j - 1]
        est = float(c @ beta)
        se = float(np.sqrt(max(c @ cov_b @ c, 0.0)))
        if not estimable(c, null):
            est = se = np.nan
        # 2 * norm.sf(|t|), as scipy computes it (ndtr of -|t|), without its overhead
        pval = 2 * special.ndtr(-abs(est / se)) if se > 0 else np.nan
        for k, v in zip(
            _RATIO_COLUMNS,
            (definition.phases[j - 1].name, definition.phases[j].name, np.exp(est),
             np.exp(est - z * se), _exp(est + z * se), est, se, pval),
            strict=True,
        ):  # fmt: skip
            cols[k].append(v)
    if not cols["ratio"]:
        return pd.DataFrame([], columns=_RATIO_COLUMNS)
    return pd.DataFrame(cols, columns=_RATIO_COLUMNS)


def _fitted_rate_table(
    d: Design,
    definition: WaveDefinition,
    beta: np.ndarray,
    gamma: np.ndarray,
    null: np.ndarray | None = None,
) -> pd.DataFrame:
    """Fitted rate of every period of the grid inside a phase, per measure (NaN: unidentified)."""
    eta = d.X @ beta
    ts = np.flatnonzero(d.phase_of >= 0)
    if ts.size == 0 or not d.measures:
        return pd.DataFrame([])
    M = len(d.measures)
    eye = np.eye(M)
    periods = [to_label(d.grid[t], d.freq) for t in ts]
    phases = [definition.phases[d.phase_of[t]].name for t in ts]
    observed = [bool(d.covered[t]) for t in ts]
    rates = []
    for m_i in range(M):
        for t in ts:
            ok = null is None or null.shape[1] == 0
            if not ok:
                ok = estimable(np.concatenate([d.X[t], eye[m_i, 1:]]), null)
            rates.append(float(np.exp(eta[t] + gamma[m_i])) if ok else np.nan)
    return pd.DataFrame(
        {
            "period": periods * M,
            "measure": [m for m in d.measures for _ in ts],
            "phase": phases * M,
            "rate": rates,
            "observed": observed * M,
        }
    )


class FitTables:
    """A fit's phase-rate, rate-ratio and fitted-rate tables, built on first use.

    The tables are pure functions of the fit (its design, estimate and covariance);
    most fits of a comparison are never shown as tables, so they are built only when
    read. A pickled fit carries the tables.
    """

    def __init__(
        self,
        d: Design,
        definition: WaveDefinition,
        theta: np.ndarray,
        cov_theta: np.ndarray,
        p: int,
        z: float,
        null: np.ndarray | None,
    ) -> None:
        self._args: tuple | None = (d, definition, theta.copy(), cov_theta.copy(), p, z, null)
        self._tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None = None

    def get(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        if self._tables is None:
            assert self._args is not None
            d, definition, theta, cov_theta, p, z, null = self._args
            beta = theta[:p]
            gamma = np.concatenate([[0.0], theta[p : p + len(d.measures) - 1]])
            self._tables = (
                _phase_rate_table(d, definition, theta, cov_theta, p, z, null),
                _rate_ratio_table(d, definition, beta, cov_theta[:p, :p], z, null),
                _fitted_rate_table(d, definition, beta, gamma, null),
            )
            self._args = None
        return self._tables

    def __getstate__(self) -> dict[str, Any]:
        return {"_args": None, "_tables": self.get()}
