"""The platform's one Dagster code location: the ETL's asset graph, job and 11-minute sensor, the daily
backup job and schedule, the audit's daily maintenance, and the weekly retraining of the AI modules.
``promptsales up`` serves it to the Dagster daemon and webserver (:mod:`promptsales.etl.scheduler`).

Jobs that later parts add are listed here too.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotations at definition time.
from dagster import Config, DefaultScheduleStatus, Definitions, OpExecutionContext, ScheduleDefinition, job, op

from promptsales.audit.dagster_defs import audit_maintenance_job, daily_audit_schedule
from promptsales.backup.dagster_defs import backup_job, daily_backup_schedule
from promptsales.etl.pipeline import ETL_ASSETS, etl_job, every_eleven_minutes
from promptsales.wiring import AI_MODULES, train_ai_module

AI_RETRAIN_JOB = "ai_retrain"
AI_RETRAIN_CRON = "0 4 * * 0"  # Sundays 04:00 UTC, after the daily backup


class RetrainConfig(Config):
    """Run configuration of the retraining op (the schedule uses the default: every AI module)."""

    modules: list[str] = []


@op(description="Train each AI module on the current data, evaluate it on held-out data and store a new version.")
def retrain_ai_modules(context: OpExecutionContext, config: RetrainConfig) -> None:
    """``promptsales ai train`` for each module, as the Dagster job acting as itself."""
    from promptsales.caller import acting_as
    from promptsales.commands.ai import headline
    from promptsales.config import get_settings

    settings = get_settings()
    for name in config.modules or AI_MODULES:
        with acting_as(f"dagster:{AI_RETRAIN_JOB}", authenticated=False):
            status = train_ai_module(settings, name)
        context.log.info(f"{name}: version {status['version']} stored")
        context.add_output_metadata({f"{name}.{k}": str(v) for k, v in headline(status["metrics"]).items()})


@job(name=AI_RETRAIN_JOB, description="Retrain every AI module and store the new versions with their metrics (I1).")
def ai_retrain_job():
    """Train, evaluate and store each AI module."""
    retrain_ai_modules()


weekly_ai_retrain = ScheduleDefinition(
    name="weekly_ai_retrain",
    job=ai_retrain_job,
    cron_schedule=AI_RETRAIN_CRON,
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Retrain the AI modules every Sunday at 04:00 UTC.",
)

defs = Definitions(
    assets=ETL_ASSETS,
    jobs=[etl_job, backup_job, ai_retrain_job, audit_maintenance_job],
    sensors=[every_eleven_minutes],
    schedules=[daily_backup_schedule, weekly_ai_retrain, daily_audit_schedule],
)
