"""Shared helpers of the ETL benchmarks: private copies of the seeded databases (the user's data is never touched)."""

from __future__ import annotations

from promptsales.config import Settings
from promptsales.db.copies import copy_database, drop_database, scratch_name


def copy_databases(settings: Settings, companies=("ads", "crm", "sales")) -> dict[str, str]:
    """Copies of the seeded company databases (CREATE DATABASE … TEMPLATE); returns company → name."""
    return {company: copy_database(settings, company, scratch_name(company, "bench")) for company in companies}


def drop_databases(settings: Settings, names: dict[str, str]) -> None:
    """Drop the copies."""
    for company, name in names.items():
        drop_database(settings, company, name)
