"""``promptsales backup …``: run, list, verify, prune and restore encrypted backups."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.backup.create import COMPONENTS, run_backup, select_components
from promptsales.backup.keys import load_key
from promptsales.backup.prune import prune as prune_backups
from promptsales.backup.restore import restore_backup
from promptsales.backup.settings import BackupSettings
from promptsales.backup.store import BackupStore
from promptsales.backup.verify import verify_backup
from promptsales.config import get_settings

app = typer.Typer(
    help="Encrypted backups of every database (AES-256-GCM), verification, retention, restore.", no_args_is_help=True
)
console = Console()

ONLY_HELP = f"Only these components: {', '.join(COMPONENTS)} (repeatable)."


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@app.command("run")
def run(
    as_json: bool = typer.Option(False, "--json", help="Print the backup id and its manifest as JSON."),
    only: list[str] = typer.Option(None, "--only", help=ONLY_HELP),
) -> None:
    """Back up every PostgreSQL database, the MongoDB content and the media store, encrypted."""
    settings = get_settings()
    backup = BackupSettings()
    select_components(only or None)  # bad input: refused before anything (even a key) is written
    key = load_key(settings, backup, create=True)
    if key.created:
        Console(stderr=True).print(
            f"[yellow]Created the backup key {key.source} (id {key.id}). Keep a copy OUTSIDE this machine "
            "(secrets manager, offline safe): backups cannot be read without it.[/]"
        )
    if as_json:
        folder = run_backup(settings, backup, only or None)
    else:
        with console.status("Backing up…") as status:
            folder = run_backup(settings, backup, only or None, progress=lambda m: status.update(f"Backing up: {m}"))
    manifest = folder.manifest(load_key(settings, backup).key)
    if as_json:
        print(json.dumps({"id": folder.id, "path": str(folder.root), "manifest": manifest}, indent=2))
        return
    console.print(f"[green]backup {folder.id}[/] written to {folder.root} in {manifest['seconds']:.1f} s")
    for entry in manifest["files"]:
        console.print(f"  {entry['name']}: {_human(entry['plain_bytes'])} → {_human(entry['cipher_bytes'])} encrypted")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Backups in the backup directory, oldest first, with size and verification state."""
    settings = get_settings()
    backup = BackupSettings()
    key = load_key(settings, backup)
    store = BackupStore(backup.backup_dir(settings))
    rows = []
    for folder in store.backups():
        manifest = folder.unverified_manifest() or {}
        verified = folder.verified_record(key.key)
        rows.append(
            {
                "id": folder.id,
                "created": folder.created.isoformat(),
                "components": manifest.get("components", []),
                "bytes": folder.size_bytes(),
                "verified_at": verified["verified_at"] if verified else None,
            }
        )
    partials = [p.name for p in store.partials()]
    if as_json:
        print(json.dumps({"backup_dir": str(store.root), "backups": rows, "unfinished": partials}, indent=2))
        return
    table = Table(title=f"Backups in {store.root}")
    table.add_column("id", no_wrap=True)
    for column in ("created (UTC)", "components", "size", "verified"):
        table.add_column(column)
    for row in rows:
        verified_at = row["verified_at"][:19] if row["verified_at"] else "no"
        table.add_row(row["id"], row["created"][:19], ",".join(row["components"]), _human(row["bytes"]), verified_at)
    console.print(table)
    for name in partials:
        console.print(f"[yellow]unfinished:[/] {name}")


@app.command()
def verify(
    backup_id: str = typer.Argument("latest", help="Backup id, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Authenticate the manifest, decrypt every file and check its sizes and SHA-256 digests."""
    settings = get_settings()
    backup = BackupSettings()
    key = load_key(settings, backup)
    folder = BackupStore(backup.backup_dir(settings)).get(backup_id)
    result = verify_backup(folder, key)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        console.print(
            f"[green]backup {folder.id} verified[/]: {result['files']} files, {_human(result['plain_bytes'])} decrypted "
            f"and checked in {result['seconds']:.1f} s"
        )


@app.command()
def prune(
    keep: int = typer.Option(
        None, "--keep", min=1, help="Daily backups to keep (default PROMPTSALES_BACKUP_KEEP_DAILY=30)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be deleted, delete nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Delete old backups: keeps the newest N daily backups and always the newest verified one."""
    settings = get_settings()
    backup = BackupSettings()
    key = load_key(settings, backup)
    plan = prune_backups(BackupStore(backup.backup_dir(settings)), key, keep or backup.keep_daily, dry_run)
    if as_json:
        print(
            json.dumps(
                {"kept": plan.keep, "deleted": plan.delete, "stale_partials": plan.stale_partials, "dry_run": dry_run},
                indent=2,
            )
        )
        return
    verb = "would delete" if dry_run else "deleted"
    console.print(
        f"kept {len(plan.keep)} backups; {verb} {len(plan.delete)}"
        + (f": {', '.join(plan.delete)}" if plan.delete else "")
    )
    if plan.stale_partials:
        console.print(
            f"{verb} {len(plan.stale_partials)} unfinished backups older than a day: {', '.join(plan.stale_partials)}"
        )


@app.command()
def restore(
    backup_id: str = typer.Argument(..., help="Backup id, or 'latest'."),
    target: str = typer.Option(
        ..., "--target", help="Data directory of another installation, or a postgresql:// admin URL."
    ),
    only: list[str] = typer.Option(None, "--only", help=ONLY_HELP),
    replace: bool = typer.Option(False, "--replace", help="Overwrite databases that already have data on the target."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Verify a backup, then restore it into another server (nothing is touched if verification fails)."""
    settings = get_settings()
    with console.status("Verifying and restoring…"):
        report = restore_backup(settings, backup_id, target, only or None, replace)
    if as_json:
        print(json.dumps(report.__dict__, indent=2, default=str))
        return
    console.print(f"[green]restored backup {report.backup_id}[/] into {report.target} in {report.seconds:.1f} s")
    for component, info in report.restored.items():
        console.print(f"  {component}: {info}")
