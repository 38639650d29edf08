"""The platform's one Dagster code location: the ETL's asset graph, job and 11-minute sensor, and the daily
backup job and schedule. ``promptsales up`` serves it to the Dagster daemon and webserver
(:mod:`promptsales.etl.scheduler`).

Jobs that later parts add are listed here too.
"""

from dagster import Definitions

from promptsales.backup.dagster_defs import backup_job, daily_backup_schedule
from promptsales.etl.pipeline import ETL_ASSETS, etl_job, every_eleven_minutes

defs = Definitions(
    assets=ETL_ASSETS,
    jobs=[etl_job, backup_job],
    sensors=[every_eleven_minutes],
    schedules=[daily_backup_schedule],
)
