"""``promptsales audit …``: verify the hash chains, search the audit, run the daily maintenance."""

from __future__ import annotations

import json
from datetime import UTC, date

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError

app = typer.Typer(
    help="The central audit: tamper check (hash chains and seals), search, 90-day retention.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Cannot read the day {text!r}: use YYYY-MM-DD.") from None


@app.command()
def verify(
    day: list[str] = typer.Option(None, "--day", help="Only this UTC day (YYYY-MM-DD; repeatable). Default: all."),
    jobs: int = typer.Option(2, min=1, max=16, help="Partitions checked at a time (one connection each)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Recompute every partition's hash chain; exit 2 when a row was edited, deleted or reordered, or a day is gone."""
    from promptsales.audit.seal import load_seal_key
    from promptsales.audit.trail import current_actor, record
    from promptsales.audit.verify import verify as run_verify

    settings = get_settings()
    days = [_day(text) for text in day] if day else None
    report = run_verify(settings, days, jobs, load_seal_key(settings))
    record(
        current_actor(),
        "audit",
        "audit.verify",
        "ok" if report.ok else "error",
        report.seconds * 1000,
        {"partitions": len(report.partitions), "rows": report.rows, "problems": not report.ok},
        settings,
        category="audit",
    )
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        for line in report.problems:
            err_console.print(f"[bold red]tampered:[/] {line}")
        for part in report.partitions:
            for line in part.problems:
                err_console.print(f"[bold red]tampered:[/] {part.partition}: {line}")
        verdict = "[green]intact[/]" if report.ok else "[bold red]NOT intact[/]"
        console.print(
            f"audit {verdict}: {len(report.partitions)} partitions, {report.rows:,} rows, "
            f"{sum(p.sealed for p in report.partitions)} sealed, {report.seconds:.1f} s"
        )
    if not report.ok:
        raise typer.Exit(2)


@app.command()
def search(
    actor: str = typer.Option(None, "--actor", help="Who: an OAuth client id, stdio:<user>, local:<user>, cli:<user>."),
    since: str = typer.Option(None, "--since", help="From: 2026-12-01, 2026-12-01T10:00 (UTC) or 90m, 24h, 7d."),
    until: str = typer.Option(None, "--until", help="Before: same forms as --since."),
    action: str = typer.Option(None, "--action", help="A tool or operation, e.g. client360.pii, backup.run."),
    category: str = typer.Option(None, "--category", help="mcp, pii, admin, keystore, backup, grant, privacy, …"),
    outcome: str = typer.Option(None, "--outcome", help="ok, error or denied."),
    limit: int = typer.Option(100, "--limit", help="At most this many rows, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Who did what, when: audit rows matching every filter given, newest first."""
    from promptsales.audit.search import AuditQuery, parse_time
    from promptsales.audit.search import search as run_search
    from promptsales.audit.trail import current_actor, record

    settings = get_settings()
    query = AuditQuery(
        actor=actor,
        since=parse_time(since) if since else None,
        until=parse_time(until) if until else None,
        action=action,
        category=category,
        outcome=outcome,
        limit=limit,
    )
    rows = run_search(settings, query)
    filters = {k: str(v) for k, v in vars(query).items() if v is not None and k != "limit"}
    record(
        current_actor(),
        "audit",
        "audit.search",
        "ok",
        0.0,
        {"filters": filters, "rows": len(rows)},
        settings,
        category="audit",
    )
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"audit: {len(rows)} row(s)")
    for column in ("when (UTC)", "actor", "service", "category", "action", "scope", "outcome", "ms", "detail"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["occurred_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            row["actor"],
            row["service"],
            row["category"],
            row["action"],
            row["scope"] or "",
            row["outcome"],
            f"{row['latency_ms']:.1f}",
            json.dumps(row["detail"], default=str)[:80],
        )
    console.print(table)


@app.command()
def maintain(
    keep_days: int = typer.Option(90, "--keep-days", help="Keep partitions of this many days (N4: 90)."),
    ahead: int = typer.Option(7, "--ahead", min=1, max=366, help="Create this many days of partitions ahead."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Drop partitions older than --keep-days, create the next ones, seal closed days (what the daily job runs)."""
    from promptsales.audit.maintain import maintain as run_maintain

    report = run_maintain(get_settings(), keep_days, ahead)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        console.print(
            f"audit partitions: dropped {report.dropped}, created {report.created}, sealed {len(report.sealed)} "
            f"(kept {keep_days} days)"
        )
        for name, problems in report.not_sealed.items():
            err_console.print(f"[bold red]not sealed:[/] {name}: {'; '.join(problems)}")
    if report.not_sealed:
        raise typer.Exit(2)
