"""The audit's daily maintenance in Dagster (SPEC N4): drop partitions older than 90 days, create the next ones,
seal closed days — :func:`promptsales.audit.maintain.maintain`, as the job ``audit_maintenance`` at 00:20 UTC."""

# No `from __future__ import annotations`: Dagster inspects the context annotations at definition time.
from dagster import Config, DefaultScheduleStatus, OpExecutionContext, ScheduleDefinition, job, op

JOB_NAME = "audit_maintenance"
CRON = "20 0 * * *"  # just after midnight UTC: yesterday's day closes, the day before gets its seal


class AuditMaintenanceConfig(Config):
    """Run configuration (the schedule uses the defaults: 90 days kept, 7 days ahead)."""

    keep_days: int = 90
    ahead: int = 7


@op(description="Drop audit partitions older than the retention (never rows), create the next ones, seal closed days.")
def maintain_audit(context: OpExecutionContext, config: AuditMaintenanceConfig) -> None:
    """``promptsales audit maintain`` as the Dagster job acting as itself; a day that fails its check fails the run."""
    from promptsales.audit.maintain import maintain
    from promptsales.caller import acting_as
    from promptsales.config import get_settings

    with acting_as(f"dagster:{JOB_NAME}", authenticated=False):
        report = maintain(get_settings(), config.keep_days, config.ahead)
    context.add_output_metadata(
        {"dropped": report.dropped, "created": report.created, "sealed": ", ".join(report.sealed) or "none"}
    )
    if report.not_sealed:
        raise RuntimeError(f"audit days that do not verify (not sealed): {report.not_sealed}")


@job(name=JOB_NAME, description="The central audit's daily maintenance: 90-day retention by partition, seals (N4).")
def audit_maintenance_job():
    """Drop expired partitions, create the next ones, seal closed days."""
    maintain_audit()


daily_audit_schedule = ScheduleDefinition(
    name="daily_audit_maintenance",
    job=audit_maintenance_job,
    cron_schedule=CRON,
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every day at 00:20 UTC.",
)
