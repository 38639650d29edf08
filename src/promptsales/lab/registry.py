"""Lab entries: SQL scripts discovered from ``promptsales/<company>/lab/*.sql`` and Python entries.

A SQL lab script starts with a header of comment lines::

    -- title: EXCEPT — campaigns that ran on Instagram but never on TikTok
    -- params: brand_id:int=1, start:date=2025-01-01
    -- explanation:
    --   Free text, as many comment lines as needed, up to the first non-comment line.

Its statements run in order in one transaction as the company's ``app`` role, then the transaction is
rolled back (labs never change data) unless the header says ``-- commit: yes``. Parameters are bound by
psycopg (``%(brand_id)s``), never pasted into the SQL. Every statement that returns rows is shown.

Python entries (for labs that need several sessions, plans or other servers) are declared with
:func:`register` in the modules that :func:`promptsales.wiring.load_lab_entries` lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
import sqlparse

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

PARAM_TYPES: dict[str, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "str": str,
    "text": str,
    "date": date.fromisoformat,
    "timestamp": datetime.fromisoformat,
}


@dataclass(frozen=True)
class LabParam:
    """One parameter of a lab entry."""

    name: str
    type: str
    default: str | None = None

    def parse(self, raw: str) -> Any:
        """Convert a command-line value, with a clear error when it does not fit the type."""
        try:
            return PARAM_TYPES[self.type](raw)
        except (ValueError, KeyError):
            raise UserError(f"Parameter {self.name!r} expects a {self.type}, got {raw!r}.") from None


@dataclass
class StepResult:
    """The outcome of one statement or step of a lab run."""

    title: str
    sql: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    rowcount: int | None = None
    note: str = ""


@dataclass
class LabResult:
    """Everything a lab run produced, ready to print or serialise."""

    name: str
    steps: list[StepResult] = field(default_factory=list)
    outcome: str = ""


@dataclass
class LabEntry:
    """A runnable lab entry."""

    name: str
    company: str
    title: str
    explanation: str
    params: list[LabParam]
    runner: Callable[[Settings, dict[str, Any], dict[str, Any]], LabResult]
    source: str = ""
    options: tuple[str, ...] = ()

    def bind(self, raw: dict[str, str]) -> dict[str, Any]:
        """Parse ``k=v`` parameters against the declared ones; unknown or missing ones are errors."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            expected = ", ".join(known) or "none"
            raise UserError(f"Lab {self.name} has no parameter {', '.join(unknown)}; expected: {expected}.")
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name in raw:
                values[param.name] = param.parse(raw[param.name])
            elif param.default is not None:
                values[param.name] = param.parse(param.default)
            else:
                raise UserError(f"Lab {self.name} needs --param {param.name}=<{param.type}>.")
        return values

    def run(self, settings: Settings, raw_params: dict[str, str] | None = None, **options: Any) -> LabResult:
        """Run the entry with command-line style parameters."""
        unsupported = sorted(k for k, v in options.items() if v not in (None, False) and k not in self.options)
        if unsupported:
            raise UserError(f"Lab {self.name} does not take --{', --'.join(unsupported)}.")
        return self.runner(settings, self.bind(raw_params or {}), options)


_REGISTRY: dict[str, LabEntry] = {}
_discovered = False
_HEADER_KEY = re.compile(r"^--\s*(title|params|commit|explanation):\s*(.*)$")


def register(entry: LabEntry) -> LabEntry:
    """Add a Python lab entry."""
    _REGISTRY[entry.name] = entry
    return entry


def parse_params(spec: str) -> list[LabParam]:
    """Parse ``name:type=default, …``."""
    params = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = re.fullmatch(r"(\w+):(\w+)(?:=(.*))?", part)
        if not match or match.group(2) not in PARAM_TYPES:
            raise ValueError(f"bad lab parameter declaration {part!r}")
        params.append(LabParam(match.group(1), match.group(2), match.group(3)))
    return params


def sql_entry(company: str, path: Path) -> LabEntry:
    """Build a lab entry from a SQL script and its header."""
    text = path.read_text()
    meta: dict[str, str] = {"title": path.stem, "params": "", "commit": "no"}
    explanation: list[str] = []
    in_explanation = False
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER_KEY.match(line)
        if match and not in_explanation:
            key, value = match.groups()
            if key == "explanation":
                in_explanation = True
                if value:
                    explanation.append(value)
            else:
                meta[key] = value.strip()
        elif in_explanation:
            explanation.append(line[2:].strip())
    name = f"{company}.{path.stem.replace('_', '-')}"
    commit = meta["commit"].lower() in ("yes", "true")

    def run_sql(settings: Settings, values: dict[str, Any], _options: dict[str, Any]) -> LabResult:
        return run_sql_script(settings, company, name, text, values, commit=commit)

    return LabEntry(
        name=name,
        company=company,
        title=meta["title"],
        explanation="\n".join(explanation).strip(),
        params=parse_params(meta["params"]),
        runner=run_sql,
        source=text,
    )


def run_sql_script(
    settings: Settings, company: str, name: str, text: str, values: dict[str, Any], *, commit: bool = False
) -> LabResult:
    """Run every statement of ``text`` in one transaction and collect the results."""
    result = LabResult(name)
    with connect(company, "app", settings=settings) as conn:
        try:
            for statement in sqlparse.split(text):
                body = sqlparse.format(statement, strip_comments=True).strip()
                if not body:
                    continue
                with conn.cursor() as cur:
                    cur.execute(
                        statement.encode() if "%(" not in statement else statement,
                        values if "%(" in statement else None,
                    )
                    step = StepResult(
                        title=_first_comment(statement) or body.split("\n", 1)[0][:80], sql=statement.strip()
                    )
                    step.rowcount = cur.rowcount
                    if cur.description:
                        step.columns = [col.name for col in cur.description]
                        step.rows = cur.fetchall()
                    result.steps.append(step)
        except psycopg.Error as error:
            conn.rollback()
            raise UserError(f"Lab {name} failed: {error}") from error
        if commit:
            conn.commit()
        else:
            conn.rollback()
    return result


def _first_comment(statement: str) -> str:
    for line in statement.strip().splitlines():
        if line.startswith("--"):
            return line[2:].strip()
        break
    return ""


def discover() -> dict[str, LabEntry]:
    """Every lab entry: the SQL scripts of each company, plus the Python entries declared so far."""
    global _discovered
    if _discovered:
        return dict(sorted(_REGISTRY.items()))
    _discovered = True
    for company in DATABASE_NAMES:
        lab_dir = Path(str(resources.files("promptsales") / company / "lab"))
        if lab_dir.is_dir():
            for path in sorted(lab_dir.glob("*.sql")):
                entry = sql_entry(company, path)
                _REGISTRY[entry.name] = entry
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> LabEntry:
    """The entry called ``name``; a UserError listing close names when it does not exist."""
    entries = discover()
    if name not in entries:
        import difflib

        close = difflib.get_close_matches(name, entries, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else " See `promptsales lab list`."
        raise UserError(f"Unknown lab {name!r}.{hint}")
    return entries[name]
