"""``promptsales crm …``, ``promptsales check consistency`` and ``promptsales stats crm``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError

app = typer.Typer(
    help="PromptCRM: reveal encrypted fields, search by national ID, key store, linked server.", no_args_is_help=True
)
keys_app = typer.Typer(
    help="The server key store (X.509 certificate that protects the data keys).", no_args_is_help=True
)
check_app = typer.Typer(help="Cross-database checks.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()


@app.command()
def reveal(
    client_id: str = typer.Argument(..., help="Id of the client (crm.clients.client_id)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Show a client with national ID and context data decrypted (needs the key store's private key)."""
    from promptsales.crm.service import json_default, reveal_client

    if not client_id.strip().isdigit():
        raise UserError(f"Client id must be a positive integer, got {client_id!r}.")
    record = reveal_client(get_settings(), int(client_id))
    if as_json:
        print(json.dumps(record, indent=2, ensure_ascii=False, default=json_default))
        return
    table = Table("field", "value", title=f"Client {client_id}")
    for key, value in record.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    console.print(table)


@app.command()
def find(
    national_id: str = typer.Option(..., "--national-id", help="National ID (cédula), e.g. CR-1-0234-0567."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Find clients by national ID through the blind index (the table is not decrypted)."""
    from promptsales.crm.service import find_by_national_id

    found = find_by_national_id(get_settings(), national_id)
    if as_json:
        print(json.dumps({"national_id": national_id, "client_ids": found}))
        return
    console.print(f"client ids: {', '.join(map(str, found))}" if found else "No client has that national ID.")
    if not found:
        sys.exit(1)  # SystemExit: typer.Exit is swallowed by standalone_mode=False in promptsales.cli.main


@app.command()
def link(refresh: bool = typer.Option(False, "--refresh", help="Import PromptAds tables added since.")) -> None:
    """Create or update the linked server to PromptAds (postgres_fdw, read-only user mapping)."""
    from promptsales.crm.link import FOREIGN_SCHEMA, ensure_link

    count = ensure_link(get_settings(), refresh=refresh)
    console.print(f"linked server ready: {count} PromptAds tables in schema {FOREIGN_SCHEMA}")


@keys_app.command("show")
def keys_show() -> None:
    """Print the key store path, its certificates and the active one."""
    from promptsales.crm.keystore import KeyStore

    store = KeyStore.for_server(get_settings())
    active = store.active_fingerprint()
    console.print(f"key store: {store.path}")
    for fp in store.fingerprints():
        cert = store.certificate(fp)
        mark = " (active)" if fp == active else ""
        console.print(f"  {fp}{mark}  {cert.subject.rfc4514_string()}  valid until {cert.not_valid_after_utc:%Y-%m-%d}")
    if not active:
        console.print("  no certificate yet (created by `promptsales up` or the first encryption)")


def _password(env: str) -> str:
    value = os.environ.get(env)
    if not value:
        raise UserError(f"Set the PKCS#12 password in the environment variable {env}.")
    return value


@keys_app.command("export")
def keys_export(
    out: Path = typer.Option(..., "--out", help="PKCS#12 file to write."),
    password_env: str = typer.Option("PROMPTSALES_CRM_P12_PASSWORD", help="Variable holding the password."),
) -> None:
    """Export the active certificate with its private key as a password-protected PKCS#12 file."""
    from promptsales.crm.keystore import KeyStore

    data = KeyStore.for_server(get_settings()).export_pkcs12(_password(password_env))
    out.write_bytes(data)
    out.chmod(0o600)
    console.print(f"wrote {out} ({len(data)} bytes)")


@keys_app.command("import")
def keys_import(
    file: Path = typer.Argument(..., help="PKCS#12 file exported from the original server."),
    password_env: str = typer.Option("PROMPTSALES_CRM_P12_PASSWORD", help="Variable holding the password."),
) -> None:
    """Import a certificate with its private key (PKCS#12) into this server's key store."""
    from promptsales.crm.keystore import KeyStore

    if not file.is_file():
        raise UserError(f"No such file: {file}")
    fp = KeyStore.for_server(get_settings()).import_pkcs12(file.read_bytes(), _password(password_env))
    console.print(f"imported certificate {fp}")


@app.command("audience-export")
def audience_export(
    campaign: int = typer.Option(..., "--campaign", min=1, help="PromptAds campaign id."),
    out: Path = typer.Option(..., "--out", help="CSV to write (one hashed e-mail per line; never overwritten)."),
) -> None:
    """Export a campaign's audience for a third party (an ad platform's customer match): SHA-256 of each e-mail,
    only clients who consented to third-party sharing and did not opt out of sale (CCPA) or get erased."""
    from promptsales.audit.trail import current_actor, record
    from promptsales.crm.audience import third_party_audience
    from promptsales.db.connect import connect

    if out.exists():
        raise UserError(f"{out} already exists; choose a new file.")
    settings = get_settings()
    with connect("crm", "app", settings=settings) as conn:
        audience = third_party_audience(conn, campaign)
    with out.open("x") as sink:
        sink.write("".join(f"{value}\n" for value in audience["hashed_emails"]))
    record(
        current_actor(),
        "crm",
        "crm.audience_export",
        "ok",
        0.0,
        {"campaign_id": campaign, "shared": audience["shared"], "held_back": audience["held_back"]},
        settings,
        category="privacy",
    )
    console.print(
        f"{audience['shared']:,} clients exported to {out}; {audience['held_back']:,} held back "
        "(no consent, opted out or erased)"
    )


@check_app.command("consistency")
def consistency(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """Compare PromptCRM with PromptAds per campaign × channel × market; exit 1 on any mismatch."""
    from promptsales.crm.service import check_consistency, json_default

    report = check_consistency(get_settings())
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, default=json_default))
    else:
        console.print(
            f"compared {report.groups_compared:,} campaign × channel × market groups in {report.duration_ms:.0f} ms: "
            + ("[green]no mismatches[/]" if report.ok else f"[red]{len(report.mismatches)} mismatches[/]")
        )
        if report.mismatches:
            table = Table(*report.mismatches[0].keys(), title="Mismatches (first 20)")
            for row in report.mismatches[:20]:
                table.add_row(*(str(v) for v in row.values()))
            console.print(table)
    if not report.ok:
        sys.exit(1)  # SystemExit: typer.Exit is swallowed by standalone_mode=False in promptsales.cli.main


def stats_crm(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """PromptCRM: rows per table, clients per campaign, clients in several campaigns, sales amount."""
    from promptsales.crm.service import crm_stats

    summary = crm_stats(get_settings())
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
        return
    table = Table("figure", "value", title="PromptCRM")
    for key, value in summary.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
