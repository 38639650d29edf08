"""SPEC R6 demonstration: ``promptsales lab run crm.restore-elsewhere``.

PromptCRM is backed up, restored on *another server* (a second embedded installation: its own PostgreSQL
cluster, port, data directory and key store), and there:

1. the client rows are all present, but the national ID and context data cannot be decrypted — the data
   keys in ``crm.data_keys`` are wrapped by the original server's certificate, which is not in this
   server's key store (not even its own certificate helps): a clear error, never garbage;
2. the certificate with its private key is exported from the original server as a password-protected
   PKCS#12 file; importing it with a wrong password is refused and stores nothing;
3. imported with the right password, the same fields decrypt to exactly the original values.

The backup never contains the key store: the certificate travels separately (docs/security.md, Backups).
Registered through :mod:`promptsales.crm.labs` (the lab registry imports ``promptsales.<company>.labs``).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from promptsales.backup.create import run_backup
from promptsales.backup.restore import embedded_target_settings, restore_backup
from promptsales.backup.settings import BackupSettings
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.errors import UserError
from promptsales.lab.registry import LabEntry, LabParam, LabResult, StepResult, register

NAME = "crm.restore-elsewhere"
EXPLANATION = (
    "PromptCRM is backed up (encrypted) and restored on another server: a second installation with its own "
    "PostgreSQL cluster, port, data directory and key store (param target, default <data_dir>-restore-elsewhere).\n\n"
    "1. There the client rows are all present, but national IDs and context data cannot be decrypted: the data "
    "keys in crm.data_keys are wrapped by the original server's certificate, which is not in this server's key "
    "store (its own certificate does not help). A clear error, never garbage.\n"
    "2. The certificate with its private key is exported from the original server as a password-protected "
    "PKCS#12 file; importing it with a wrong password is refused and stores nothing.\n"
    "3. Imported with the right password, the same fields decrypt to exactly the original values.\n\n"
    "Backups never contain the key store: the certificate travels separately (docs/security.md, Backups). "
    "Params: target (directory), password (PKCS#12 password, default random), stop (yes: stop the second "
    "server at the end)."
)
SAMPLE_CLIENTS = 3


def target_keystore(target: Settings):
    """The key store of the server in ``target`` (``<data_dir>/keystore/<system identifier>``, never an env override)."""
    from promptsales.crm.keystore import KeyStore, server_id

    return KeyStore(target.data_path / "keystore" / server_id(target))


def _forget_certificates(store, fingerprints: list[str]) -> list[str]:
    """Remove from the second server's key store the original certificates a previous demo run imported."""
    removed = []
    for fp in fingerprints:
        cert, key = store.path / "certs" / f"{fp}.pem", store.path / "keys" / f"{fp}.key.pem"
        if cert.exists() or key.exists():
            cert.unlink(missing_ok=True)
            key.unlink(missing_ok=True)
            removed.append(fp)
    active = store.path / "active"
    if active.exists() and active.read_text().strip() in removed:
        active.unlink()
    return removed


def _mask(value: str) -> str:
    return value[:4] + "…" + value[-2:] if len(value) > 6 else "…"


def _sample_clients(settings: Settings, dbname: str | None) -> tuple[list[int], int]:
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        ids = [
            row[0]
            for row in conn.execute("SELECT client_id FROM crm.clients ORDER BY client_id LIMIT %s", (SAMPLE_CLIENTS,))
        ]
        total = scalar(conn, "SELECT count(*) FROM crm.clients")
    if not ids:
        raise UserError("PromptCRM has no clients to demonstrate with: run `promptsales seed` first.")
    return ids, total


def _try_reveal(target: Settings, client_ids: list[int], store) -> tuple[list[dict[str, Any]], str | None]:
    from promptsales.crm.service import reveal_client

    revealed = []
    try:
        for client_id in client_ids:
            revealed.append(reveal_client(target, client_id, keystore=store, actor="lab:restore-elsewhere"))
    except UserError as error:
        return revealed, str(error)
    return revealed, None


def restore_elsewhere(
    settings: Settings,
    target_dir: Path,
    password: str,
    *,
    backup: BackupSettings | None = None,
    crm_dbname: str | None = None,
    source_keystore=None,
    wrong_password: str = "not-the-password",
) -> tuple[LabResult, dict[str, Any]]:
    """Run the demonstration; returns the printable lab result and the facts a test checks."""
    from promptsales.crm.keystore import KeyStore, KeyStoreError
    from promptsales.crm.service import reveal_client
    from promptsales.crm.subject_keys import export_escrow, import_escrow

    if len(password) < 8:
        raise UserError("The PKCS#12 password must have at least 8 characters.")
    backup = backup or BackupSettings()
    source_store = source_keystore or KeyStore.for_server(settings, "crm", crm_dbname)
    result = LabResult(NAME)
    facts: dict[str, Any] = {}
    target = embedded_target_settings(target_dir)
    if target.data_path == settings.data_path:
        raise UserError("The target must be another installation: choose a data directory other than this one's.")

    client_ids, total = _sample_clients(settings, crm_dbname)
    original = [
        reveal_client(settings, cid, dbname=crm_dbname, keystore=source_store, actor="lab:restore-elsewhere")
        for cid in client_ids
    ]
    facts["original"] = original
    result.steps.append(
        StepResult(
            title="1. Original server: the fields decrypt with this server's certificate",
            columns=["client_id", "name", "national_id", "context keys", "certificate"],
            rows=[
                (
                    c["client_id"],
                    f"{c['first_name']} {c['last_name']}",
                    c["national_id"],
                    ", ".join(sorted(c["context"]))[:60],
                    (source_store.active_fingerprint() or "")[:16] + "…",
                )
                for c in original
            ],
            note=f"{total:,} clients; key store {source_store.path} (outside the database and outside every backup).",
        )
    )

    started = time.perf_counter()
    folder = run_backup(settings, backup, only=["crm"], databases={"crm": crm_dbname} if crm_dbname else None)
    crm_file = next(e for e in folder.manifest(_backup_key(settings, backup))["files"] if e.get("company") == "crm")
    result.steps.append(
        StepResult(
            title="2. Encrypted backup of PromptCRM (pg_dump custom format → AES-256-GCM)",
            columns=["backup id", "dump bytes", "encrypted bytes", "seconds"],
            rows=[
                (folder.id, crm_file["plain_bytes"], crm_file["cipher_bytes"], round(time.perf_counter() - started, 1))
            ],
            note="The backup holds the ciphertext and the wrapped data keys, never the certificate's private key.",
        )
    )

    started = time.perf_counter()
    report = restore_backup(settings, folder.id, str(target.data_path), only=["crm"], replace=True, backup=backup)
    with connect("crm", "app", settings=target) as conn:
        restored_total = scalar(conn, "SELECT count(*) FROM crm.clients")
        server = scalar(conn, "SELECT system_identifier::text FROM pg_control_system()")
        key_rows = conn.execute(
            "SELECT data_key_id, purpose, left(cert_fingerprint, 16) || '…' FROM crm.data_keys ORDER BY 1"
        ).fetchall()
    from promptsales.runtime.postgres import EmbeddedPostgres

    facts.update(restored_total=restored_total, source_total=total, backup_id=folder.id)
    result.steps.append(
        StepResult(
            title=f"3. Restored on another server: {target.data_path} (port {EmbeddedPostgres(target).port}, system id {server})",
            columns=["data_key_id", "purpose", "wrapped under certificate"],
            rows=key_rows,
            note=f"clients on the original server: {total:,}; on the restored server: {restored_total:,} "
            f"(restore took {report.seconds:.1f} s).",
        )
    )

    target_store = target_keystore(target)
    forgotten = _forget_certificates(target_store, source_store.fingerprints())
    own = target_store.ensure("PromptCRM field encryption (second server)")
    revealed, error = _try_reveal(target, client_ids, target_store)
    facts["error_before_import"] = error
    facts["revealed_before_import"] = revealed
    result.steps.append(
        StepResult(
            title="4. Second server, own certificate only: decryption is refused",
            columns=["client_id", "outcome"],
            rows=[(client_ids[0], error or "DECRYPTED — the demonstration failed")],
            note=f"This server's key store {target_store.path} holds its own certificate {own[:16]}…, "
            "which cannot unwrap data keys wrapped for the original server."
            + (
                " (A copy of the original certificate imported by an earlier run of this demo was removed first.)"
                if forgotten
                else ""
            ),
        )
    )

    transfer = target.data_path / "transfer"
    transfer.mkdir(parents=True, exist_ok=True, mode=0o700)
    p12_path = transfer / "promptcrm-certificate.p12"
    p12_path.write_bytes(source_store.export_pkcs12(password))
    p12_path.chmod(0o600)
    held_before = target_store.fingerprints()
    try:
        target_store.import_pkcs12(p12_path.read_bytes(), wrong_password)
        wrong = "ACCEPTED — the demonstration failed"
    except KeyStoreError as refused:
        wrong = str(refused)
    facts["wrong_password_error"] = wrong
    facts["unchanged_after_wrong_password"] = target_store.fingerprints() == held_before
    facts["error_after_wrong_password"] = _try_reveal(target, client_ids[:1], target_store)[1]
    fingerprint = target_store.import_pkcs12(p12_path.read_bytes(), password)
    facts["imported_fingerprint"] = fingerprint
    # Per-client keys are never in a backup (crypto-shredding, issue 23): they travel as an escrow file.
    escrow = transfer / "promptcrm-subject-keys.escrow"
    escrow.unlink(missing_ok=True)
    exported = export_escrow(settings, escrow, dbname=crm_dbname)
    facts["subject_keys_imported"] = import_escrow(target, escrow)
    result.steps.append(
        StepResult(
            title="5. Certificate + private key exported as password-protected PKCS#12, carried separately, imported",
            columns=["attempt", "outcome"],
            rows=[
                ("import with a wrong password", wrong),
                ("import with the right password", f"certificate {fingerprint[:16]}… added to {target_store.path}"),
                (
                    "subject-key escrow (per-client keys, never in a backup)",
                    f"{facts['subject_keys_imported']['added']:,} of {exported:,} keys imported",
                ),
            ],
            note=f"PKCS#12 file: {p12_path} ({p12_path.stat().st_size} bytes, mode 0600, password {_mask(password)}).",
        )
    )

    after, error_after = _try_reveal(target, client_ids, target_store)
    facts["revealed_after_import"] = after
    facts["error_after_import"] = error_after
    same = error_after is None and [(c["national_id"], c["context"]) for c in after] == [
        (c["national_id"], c["context"]) for c in original
    ]
    facts["equal_after_import"] = same
    result.steps.append(
        StepResult(
            title="6. Second server after the import: the fields decrypt to the original values",
            columns=["client_id", "national_id", "equal to the original"],
            rows=[(c["client_id"], c["national_id"], "yes" if same else "NO") for c in after]
            or [(client_ids[0], error_after, "NO")],
        )
    )
    ok = (
        bool(error)
        and not revealed
        and facts["unchanged_after_wrong_password"]
        and "wrong password" in wrong
        and bool(facts["error_after_wrong_password"])
        and same
    )
    result.outcome = (
        "R6 shown: after backup and restore on another server the rows are there but the encrypted fields cannot be "
        "decrypted; they can only after the original certificate with its private key is imported from its "
        "password-protected PKCS#12 file."
        if ok
        else "R6 demonstration FAILED: see the steps above."
    )
    facts["ok"] = ok
    return result, facts


def _backup_key(settings: Settings, backup: BackupSettings) -> bytes:
    from promptsales.backup.keys import load_key

    return load_key(settings, backup).key


def _run(settings: Settings, values: dict[str, Any], _options: dict[str, Any]) -> LabResult:
    target_dir = (
        Path(values["target"]).expanduser()
        if values.get("target")
        else settings.data_path.parent / (settings.data_path.name + "-restore-elsewhere")
    )
    password = values.get("password") or secrets.token_urlsafe(16)
    stop = values.get("stop", "yes").lower()
    if stop not in ("yes", "no"):
        raise UserError(f"--param stop must be yes or no, got {values.get('stop')!r}.")
    result, _ = restore_elsewhere(settings, target_dir, password)
    if stop == "yes":
        from promptsales.runtime import manager

        manager.stop_all(embedded_target_settings(target_dir))
        result.steps[-1].note = f"The second server in {target_dir} was stopped (--param stop=no keeps it running)."
    return result


register(
    LabEntry(
        name=NAME,
        company="crm",
        title="R6: PromptCRM restored on another server stays unreadable until the certificate is imported",
        explanation=EXPLANATION,
        params=[
            LabParam("target", "str", ""),
            LabParam("password", "str", ""),
            LabParam("stop", "str", "yes"),
        ],
        runner=_run,
        source="",
    )
)
