"""The ETL in Dagster (SPEC S4): the asset graph, the job and the 11-minute sensor.

Graph: sources (promptads, promptcrm, promptcontent, the portal) → their change sets → the warehouse
(facts, then the summaries by campaign, channel, market and month, and content per campaign) → the
funnel view. One job materialises the graph; each run is one ETL pass, recorded in ``etl.runs`` too, and
its rows read/written per source appear as asset metadata in the UI.

They are part of the platform's one code location, :mod:`promptsales.definitions`; start it with
``promptsales up`` (:mod:`promptsales.etl.scheduler`); ``promptsales etl ui`` prints the UI's URL.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotations at definition time.
import time

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSpec,
    DagsterRunStatus,
    DefaultSensorStatus,
    MaterializeResult,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    in_process_executor,
    multi_asset,
    sensor,
)

from promptsales.config import get_settings
from promptsales.db.fetch import scalar
from promptsales.etl.capture import ChangeSet
from promptsales.etl.engine import capture_source, record_pass
from promptsales.etl.lag import lag_line, source_lags
from promptsales.etl.sensor import decide, latest
from promptsales.etl.settings import EtlSettings
from promptsales.etl.sources import Sources

JOB_NAME = "etl_pass"
IN_PROGRESS = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]

SOURCE_ASSETS = [
    AssetSpec("promptads", group_name="sources", description="PromptAds PostgreSQL database (cdc.changes)."),
    AssetSpec("promptcrm", group_name="sources", description="PromptCRM PostgreSQL database (cdc.changes)."),
    AssetSpec("promptcontent", group_name="sources", description="PromptContent MongoDB media_assets (updated_at)."),
    AssetSpec("portal", group_name="sources", description="PromptSales portal: sales goals per campaign."),
]


def _sources() -> Sources:
    return Sources(get_settings())


def _change_asset(name: str, source_key: str):
    @asset(
        name=f"{source_key}_changes",
        deps=[source_key],
        group_name="changes",
        description=f"Changes of {source_key} since the committed horizon (read-only).",
    )
    def changes(context: AssetExecutionContext) -> ChangeSet:
        captured = capture_source(_sources(), name)
        context.add_output_metadata({k: str(v) for k, v in captured.as_dict().items()})
        return captured

    return changes


CHANGE_ASSETS = [
    _change_asset("ads", "promptads"),
    _change_asset("crm", "promptcrm"),
    _change_asset("content", "promptcontent"),
    _change_asset("portal", "portal"),
]

WAREHOUSE_TABLES = {
    "campaign_facts": "wh.campaign_facts",
    "campaign_summary": "wh.campaigns",
    "campaign_by_channel": "wh.campaign_channels",
    "campaign_by_market": "wh.campaign_markets",
    "campaign_by_month": "wh.campaign_months",
    "campaign_by_day": "wh.campaign_days",
    "campaign_content": "wh.campaign_content",
}


@multi_asset(
    specs=[
        AssetSpec(
            "campaign_facts",
            group_name="warehouse",
            description="Campaign × channel × market × month facts.",
            deps=["promptads_changes", "promptcrm_changes", "promptcontent_changes", "portal_changes"],
        ),
        *[
            AssetSpec(key, group_name="warehouse", deps=["campaign_facts"], description=f"{table} summary")
            for key, table in WAREHOUSE_TABLES.items()
            if key not in ("campaign_facts", "campaign_content")
        ],
        AssetSpec(
            "campaign_content",
            group_name="warehouse",
            deps=["promptcontent_changes"],
            description="PromptContent assets used per campaign.",
        ),
    ],
    ins={
        "ads": AssetIn("promptads_changes"),
        "crm": AssetIn("promptcrm_changes"),
        "content": AssetIn("promptcontent_changes"),
        "portal": AssetIn("portal_changes"),
    },
)
def warehouse(context: AssetExecutionContext, ads: ChangeSet, crm: ChangeSet, content: ChangeSet, portal: ChangeSet):
    """Load the captured changes in one transaction with the new horizons (one ETL pass)."""
    report = record_pass(
        _sources(),
        {"ads": ads, "crm": crm, "content": content, "portal": portal},
        trigger=f"dagster:{context.run_id[:8]}",
    )
    if report.status != "succeeded":
        raise RuntimeError(f"ETL pass {report.run_id} failed: {report.error}")
    common = {
        "etl_run_id": report.run_id,
        "full_load": report.full_load,
        "campaigns_recomputed": report.campaigns,
        "duration_ms": round(report.duration_ms, 1),
        **{f"changes_read/{k}": v for k, v in report.changes_read.items()},
        **{f"rows_read/{k}": v for k, v in report.rows_read.items()},
    }
    for key, table in WAREHOUSE_TABLES.items():
        yield MaterializeResult(
            asset_key=AssetKey(key), metadata={**common, "rows_written": report.rows_written.get(table, 0)}
        )


@asset(
    deps=["campaign_summary"],
    group_name="warehouse",
    description="Funnel per campaign (view wh.campaign_funnel): reach → interactions → leads → clients → sales.",
)
def campaign_funnel() -> MaterializeResult:
    """Count the funnel rows (the view is always current once the summary is)."""
    with _sources().warehouse() as conn:
        rows = scalar(conn, "SELECT count(*) FROM wh.campaign_funnel")
    return MaterializeResult(metadata={"rows": rows})


etl_job = define_asset_job(
    JOB_NAME,
    selection=[*(a.key for a in CHANGE_ASSETS), *warehouse.keys, campaign_funnel.key],
    executor_def=in_process_executor,
    description="One ETL pass: capture changes, recompute the affected summaries.",
)


def evaluate(instance, cursor: str | None, now: float):
    """The sensor's decision from the Dagster instance's runs and the cursor (time of the last request)."""
    in_progress = bool(instance.get_run_records(filters=RunsFilter(job_name=JOB_NAME, statuses=IN_PROGRESS), limit=1))
    records = instance.get_run_records(filters=RunsFilter(job_name=JOB_NAME), limit=1)
    last = None
    if records:
        record = records[0]
        last = latest(record.start_time, record.create_timestamp.timestamp())
    last_start = latest(last, float(cursor) if cursor else None)
    return decide(now, last_start, in_progress, EtlSettings().interval_seconds)


def lag_report() -> tuple[str, dict[str, str]]:
    """The lag of every source as one line and as run tags (shown with each tick; never fails the tick)."""
    try:
        lags = source_lags(_sources())
    except Exception as error:  # noqa: BLE001 - an unreadable lag must not stop the schedule
        return f"lag unknown: {error}", {}
    tags = {f"promptsales/lag.{lag.source}": lag.summary() for lag in lags}
    return lag_line(lags), tags


#: The clock the sensor reads (tests replace it with a controlled one).
clock = time.time


def sensor_tick_seconds() -> int:
    """How often the daemon evaluates the sensor: every 30 s, or as often as the interval when that is shorter
    (a pass can never start more than one tick late)."""
    return max(1, min(30, int(EtlSettings().interval_seconds)))


@sensor(
    job=etl_job,
    minimum_interval_seconds=sensor_tick_seconds(),
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Requests an ETL pass 660 s (PROMPTSALES_ETL_INTERVAL_SECONDS) after the last one started, never while one "
        "runs, no backlog; each tick reports the lag per source."
    ),
)
def every_eleven_minutes(context: SensorEvaluationContext):
    """True 11-minute interval (see promptsales.etl.sensor)."""
    now = clock()
    decision = evaluate(context.instance, context.cursor, now)
    lag, lag_tags = lag_report()
    context.log.info(f"ETL lag: {lag}")
    if not decision.request:
        return SkipReason(f"{decision.reason}. Lag: {lag}")
    context.update_cursor(repr(now))
    return RunRequest(run_key=f"etl-{now:.0f}", tags={"promptsales/trigger": "sensor", **lag_tags})


#: Every asset of the ETL graph.
ETL_ASSETS = [*SOURCE_ASSETS, *CHANGE_ASSETS, warehouse, campaign_funnel]
