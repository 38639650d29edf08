"""``promptsales content …``: the vector index, the Mongo migrations, integrations, a quick search."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError

app = typer.Typer(help="PromptContent: media library, vector index, integrations.", no_args_is_help=True)
integrations_app = typer.Typer(help="External services stored as data (G6).", no_args_is_help=True)
app.add_typer(integrations_app, name="integrations")
console = Console()


@app.command()
def migrate() -> None:
    """Apply pending MongoDB migrations (collections, validators, indexes)."""
    from promptsales.content.mongo_migrations import validator_modes
    from promptsales.content.store import migrated_database

    db, applied = migrated_database(get_settings())
    for name in applied:
        console.print(f"[green]migrated[/] {name}")
    if not applied:
        console.print("No pending MongoDB migrations.")
    console.print("validation: " + ", ".join(f"{k}={v}" for k, v in validator_modes(db).items()))


@app.command()
def reindex(
    changed: bool = typer.Option(False, "--changed", help="Only re-embed documents whose description changed."),
) -> None:
    """Rebuild the pgvector index of media descriptions and the scene attributes (progress bar), or catch up
    with edits."""
    from promptsales.content.hybrid import load_facets
    from promptsales.content.store import mongo_database
    from promptsales.content.vector_index import rebuild, sync_changed
    from promptsales.progress import new_progress

    settings = get_settings()
    db = mongo_database(settings)
    if changed:
        synced = sync_changed(settings, db)
        console.print(f"checked {synced['checked']:,} documents, re-embedded {synced['embedded']:,}")
        return
    total = db.media_assets.count_documents({})
    if not total:
        raise UserError("There are no media documents to index; run `promptsales seed --company content` first.")
    with new_progress() as progress:
        task = progress.add_task("embedding descriptions", total=total)
        result = rebuild(settings, db, advance=lambda k: progress.advance(task, k))
    load_facets(settings, db)
    console.print(
        f"indexed {result['embedded']:,} documents in {result['seconds']:.1f} s "
        f"({result['docs_per_second']:.0f} docs/s; HNSW build {result['hnsw_seconds']:.1f} s)"
    )


@app.command()
def search(
    description: str = typer.Argument(..., help="What to look for."),
    limit: int = typer.Option(5, help="How many results."),
    media_type: str = typer.Option(None, help="image, video or audio."),
) -> None:
    """getContent from the command line."""
    from promptsales.content.service import default_service

    result = default_service().get_content(description, limit, media_type, actor="cli")
    table = Table(title=f"getContent: {result.query}")
    for column in ("id", "type", "similarity", "title", "hashtags"):
        table.add_column(column)
    for match in result.results:
        table.add_row(match.id, match.media_type, f"{match.similarity:.3f}", match.title, " ".join(match.hashtags[:4]))
    console.print(table)


@app.command()
def sheet(
    output: str = typer.Option("docs/images/content-sheet.png", help="Where to write the PNG."),
    count: int = typer.Option(48, help="How many pictures (1 to 200)."),
) -> None:
    """One PNG of the library's pictures with their titles (a contact sheet)."""
    from pathlib import Path

    from promptsales.content.media_store import MediaStore
    from promptsales.content.sheet import contact_sheet, sample_images
    from promptsales.content.store import mongo_database

    if not 1 <= count <= 200:
        raise UserError(f"--count must be between 1 and 200, got {count}.")
    settings = get_settings()
    docs = sample_images(mongo_database(settings), count)
    if not docs:
        raise UserError("There are no rendered images; run `promptsales seed --company content` first.")
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(MediaStore(settings), docs).save(path, optimize=True)
    console.print(f"wrote {path} ({len(docs)} pictures)")


@integrations_app.command("list")
def list_integrations() -> None:
    """The stored integrations (no secrets: only the names of the variables that hold them)."""
    from promptsales.content.store import mongo_database

    table = Table(title="Integrations")
    for column in ("name", "auth", "base url", "endpoints", "secret refs"):
        table.add_column(column)
    for doc in mongo_database(get_settings()).integrations.find().sort("_id", 1):
        refs = " ".join(r for r in (doc.get("client_id_ref"), doc.get("secret_ref")) if r)
        endpoints = ", ".join(f"{e['method']} {e['path']}" for e in doc["endpoints"])
        table.add_row(doc["_id"], doc["auth_scheme"], doc["base_url"], endpoints, refs)
    console.print(table)


@integrations_app.command("test")
def test_integration_command(
    name: str = typer.Argument(..., help="Integration name (see `integrations list`)."),
) -> None:
    """Perform the integration's real call (token POST + first GET) or say exactly what is missing."""
    from promptsales.content.integrations import check_integration
    from promptsales.content.store import mongo_database

    doc = mongo_database(get_settings()).integrations.find_one({"_id": name})
    if doc is None:
        raise UserError(f"No integration called {name!r}; see `promptsales content integrations list`.")
    report = check_integration(doc)
    for step in report.steps:
        console.print(step)
    console.print(json.dumps({"integration": name, "ok": report.ok, "latency_ms": round(report.latency_ms, 1)}))
    if not report.ok:
        raise typer.Exit(1)
