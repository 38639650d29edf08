"""``promptsales privacy …``: data-subject requests (export, erase, opt-out), the request record, subject-key escrow."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError

app = typer.Typer(
    help="Data-subject requests (GDPR art. 15/17/20, CCPA know/delete/opt-out) across every store.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="Per-subject key escrow: carry the living clients' keys to a restored server.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
console = Console()

EMAIL = typer.Option(None, "--email", help="The person's e-mail address.")
NATIONAL_ID = typer.Option(None, "--national-id", help="The person's national ID, e.g. CR-1-0234-0567.")
REGIME = typer.Option("gdpr", "--regime", help="gdpr (answer within 30 days) or ccpa (45 days).")
AS_JSON = typer.Option(False, "--json", help="Print JSON for machines.")


def _print_answer(answer, as_json: bool, extra: dict | None = None) -> None:
    summary = {
        "request_id": answer.request_id,
        "kind": answer.kind,
        "regime": answer.regime,
        "outcome": answer.outcome,
        "subject_ref": answer.subject_ref,
        "client_ids": answer.client_ids,
        "detail": answer.detail,
        **(extra or {}),
    }
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
        return
    console.print(
        f"request {answer.request_id} ({answer.kind}, {answer.regime}): [bold]{answer.outcome}[/] — "
        f"{len(answer.client_ids)} client(s)"
    )
    for key, value in {**answer.detail, **(extra or {})}.items():
        console.print(f"  {key}: {value}")


@app.command()
def export(
    email: str = EMAIL,
    national_id: str = NATIONAL_ID,
    out: Path = typer.Option(
        None, "--out", help="Archive to write (zip); default privacy-export-<request>-<time>.zip here."
    ),
    regime: str = REGIME,
    as_json: bool = AS_JSON,
) -> None:
    """Everything held about a person, from every store, as a zip of JSON files with a manifest (right of access
    and portability). The protected fields are decrypted: the reveal is logged and audited."""
    from promptsales.privacy.service import check_regime, export_subject
    from promptsales.privacy.subject import parse_identifier

    check_regime(regime)
    parse_identifier(email, national_id)
    if out is not None and out.exists():
        raise UserError(f"{out} already exists; choose a new file for the archive.")
    if out is not None and not out.parent.is_dir():
        raise UserError(f"Folder {out.parent} does not exist.")
    answer = export_subject(get_settings(), email=email, national_id=national_id, regime=regime)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out or Path(f"privacy-export-{answer.request_id}-{stamp}.zip")
    try:
        with path.open("xb") as sink:
            path.chmod(0o600)
            sink.write(answer.archive or b"")
    except OSError as error:
        raise UserError(
            f"Request {answer.request_id} was answered but the archive cannot be written: {error}"
        ) from None
    _print_answer(answer, as_json, {"archive": str(path)})


@app.command()
def erase(
    email: str = EMAIL,
    national_id: str = NATIONAL_ID,
    regime: str = REGIME,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the person's data is erased for good."),
    as_json: bool = AS_JSON,
) -> None:
    """Erase a person everywhere: anonymised in PromptCRM (facts kept for the totals), their key destroyed (their
    protected fields unreadable in every backup), their identifiers out of PromptContent's logs, AI texts, cache."""
    from promptsales.privacy.service import check_regime, erase_subject
    from promptsales.privacy.subject import parse_identifier

    check_regime(regime)
    parse_identifier(email, national_id)
    if not yes:
        raise UserError("Erasure cannot be undone: add --yes to confirm. Nothing was changed.")
    _print_answer(erase_subject(get_settings(), email=email, national_id=national_id, regime=regime), as_json)


@app.command("opt-out")
def opt_out(email: str = EMAIL, national_id: str = NATIONAL_ID, as_json: bool = AS_JSON) -> None:
    """CCPA opt-out of sale and sharing: no export of the person's data to any third party, now or after a later
    capture of the same e-mail."""
    from promptsales.privacy.service import opt_out_subject
    from promptsales.privacy.subject import parse_identifier

    parse_identifier(email, national_id)
    _print_answer(opt_out_subject(get_settings(), email=email, national_id=national_id), as_json)


@app.command("requests")
def list_requests(
    open_only: bool = typer.Option(False, "--open", help="Only requests not answered yet."),
    as_json: bool = AS_JSON,
) -> None:
    """Every recorded request with its deadline (30 days GDPR, 45 days CCPA); overdue ones are flagged."""
    from promptsales.privacy.service import requests

    rows = requests(get_settings(), open_only)
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    table = Table("id", "kind", "regime", "subject", "clients", "received", "due", "completed", "outcome", "")
    for row in rows:
        table.add_row(
            str(row["request_id"]),
            row["kind"],
            row["regime"],
            row["subject_ref"][:24] + "…",
            ",".join(map(str, row["client_ids"])) or "—",
            f"{row['received_at']:%Y-%m-%d %H:%M}",
            f"{row['due_at']:%Y-%m-%d}",
            f"{row['completed_at']:%Y-%m-%d %H:%M}" if row["completed_at"] else "—",
            row["outcome"] or "open",
            "[bold red]OVERDUE[/]" if row["overdue"] else "",
        )
    console.print(table)
    overdue = sum(1 for row in rows if row["overdue"])
    console.print(f"{len(rows)} request(s), {overdue} overdue")


@keys_app.command("export")
def keys_export(out: Path = typer.Option(..., "--out", help="Escrow file to write (never overwritten).")) -> None:
    """Write the living clients' subject keys (still wrapped under the KEK) to a file: with the certificate's
    PKCS#12 it lets a server restored from a backup read the protected fields of everyone not erased since."""
    from promptsales.crm.subject_keys import export_escrow

    console.print(f"{export_escrow(get_settings(), out):,} subject keys written to {out}")


@keys_app.command("import")
def keys_import(path: Path = typer.Argument(..., help="An escrow file written by `privacy keys export`.")) -> None:
    """Add the subject keys of an escrow file to this server (erased clients have none), and erase again the
    clients of restored data that were erased after it was taken."""
    from promptsales.crm.subject_keys import import_escrow

    done = import_escrow(get_settings(), path)
    console.print(f"{done['added']:,} subject keys imported")
    if done["re_erasure_skipped"]:
        console.print("[yellow]the escrow file is older than the data here: export a fresh one to re-apply erasures[/]")
    elif done["re_erased"]:
        console.print(f"{len(done['re_erased']):,} client(s) erased since the data was taken were erased again")
