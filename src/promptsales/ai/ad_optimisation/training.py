"""Fitting and re-evaluating the ad-optimisation curves on PromptAds' history (docs/ai.md, "Ad optimisation").

:func:`run_training` reads every campaign × channel × market × month, fits the response curves on all of it (the
version that serves), backtests the split month by month (curves fitted on months 1…k allocate month k+1,
valued by the curves fitted on everything: :mod:`~promptsales.ai.ad_optimisation.backtest`), measures the
Thompson-sampling regret in simulation (:mod:`~promptsales.ai.ad_optimisation.bandit`) and stores the curves as
the next version with those figures; :func:`run_evaluation` repeats the backtest of the newest version's test
months on the current data and records it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from promptsales.ai import registry
from promptsales.ai.ad_optimisation.allocate import ShareLimits, describe
from promptsales.ai.ad_optimisation.backtest import backtest
from promptsales.ai.ad_optimisation.bandit import (
    PRIOR_CONVERSIONS,
    SIM_CAMPAIGNS,
    SIM_DAYS,
    TRIALS_PER_CONVERSION,
    simulate,
    simulation_campaigns,
)
from promptsales.ai.ad_optimisation.curves import PRIOR_SD, PRIOR_SLOPE, fit_curves
from promptsales.ai.ad_optimisation.data import CellMonths, month_index, month_label, read_cell_months
from promptsales.ai.ad_optimisation.serving import CURRENT, DEFAULT_MAX_SHARE, DEFAULT_MIN_SHARE, MODULE
from promptsales.ai.modules import actor
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

ALGORITHM = "Poisson response curves spend^β per channel × market (MAP + Laplace) → cvxpy split; mabwiser Thompson"
#: Months at the end of the history that are backtested (each allocated from a fit on the months before it).
TEST_MONTHS = 6
LIMITS = ShareLimits((DEFAULT_MIN_SHARE, DEFAULT_MAX_SHARE))


def read_history(settings: Settings, dbname: str | None = None) -> CellMonths:
    """Every campaign × channel × market × month of PromptAds (read as the read-only ETL role)."""
    with connect("ads", "etl", settings=settings, dbname=dbname) as conn:
        return read_cell_months(conn)


def test_months(rows: CellMonths, count: int) -> list[int]:
    """The last ``count`` months of the history, leaving at least three months to fit the first one on."""
    months = sorted(set(rows.month.tolist()))
    if len(months) < 4:
        raise UserError(f"PromptAds holds {len(months)} months of results; the backtest needs at least 4.")
    return months[-min(count, len(months) - 3) :]


def run_training(
    settings: Settings,
    *,
    dbname: str | None = None,
    months: int = TEST_MONTHS,
    sim_campaigns: int = SIM_CAMPAIGNS,
    sim_days: int = SIM_DAYS,
) -> registry.ModelVersion:
    """Fit on the whole history, backtest the last ``months`` months, simulate Thompson sampling, store."""
    rows = read_history(settings, dbname)
    curves = fit_curves(rows)
    tested = test_months(rows, months)
    measured: dict[str, Any] = {"backtest": backtest(rows, tested, LIMITS, hindsight=curves)}
    measured["simulation"] = simulate(curves, simulation_campaigns(rows, sim_campaigns, seed=18), LIMITS, sim_days)
    measured["curves"] = curves.summary()
    bt, regret = measured["backtest"], measured["simulation"]["final_regret_pct"]
    measured["meets_target"] = bool(bt["uplift_vs_equal"] >= 0.10)
    measured["headline"] = {
        "uplift vs equal": bt["uplift_vs_equal"],
        "uplift vs historical": bt["uplift_vs_historical"],
        "TS regret %": regret["thompson"],
        "static regret %": regret["fitted_curve"],
    }
    version = registry.save_model(
        settings,
        MODULE,
        curves,
        algorithm=ALGORITHM,
        trained_by=actor(),
        params={
            "prior_sd": PRIOR_SD,
            "prior_slope": PRIOR_SLOPE,
            "limits": describe(LIMITS),
            "prior_conversions": PRIOR_CONVERSIONS,
            "trials_per_conversion": TRIALS_PER_CONVERSION,
        },
        data={
            "dbname": dbname,
            "months": [month_label(int(rows.month.min())), month_label(int(rows.month.max()))],
            "rows": len(rows),
            "test_months": [month_label(m) for m in tested],
            "split": "fit on months 1…k, allocate month k+1 (each test month), valued by the curves fitted on all",
            "trained_on": date.today().isoformat(),
        },
        metrics=measured,
    )
    CURRENT.forget()
    return version


def run_evaluation(settings: Settings, *, dbname: str | None = None) -> dict[str, Any]:
    """The backtest of the newest version's test months on the current data (recorded in the registry)."""
    version = registry.latest_version(settings, MODULE)
    if version is None:
        raise registry.NoModel(MODULE)
    rows = read_history(settings, dbname if dbname is not None else version.data.get("dbname"))
    tested = [month_index(m) for m in version.data.get("test_months", [])] or test_months(rows, TEST_MONTHS)
    result = {"model": version.label, **backtest(rows, tested, LIMITS)}
    registry.record_evaluation(settings, version, actor(), result)
    return result
