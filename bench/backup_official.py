"""Benchmark (issue 9): backup, verify and restore durations and sizes at official scale (SPEC N3, N4, R6).

Runs the real CLI against its own data directory (default /tmp/promptsales-bench-backup; ``--data-dir``),
seeded once with ``promptsales seed --scale official --if-empty`` (not timed here), then measures:
``backup run`` (pg_dump of the four databases at exported snapshots + MongoDB export + media, all
AES-256-GCM encrypted), ``backup verify`` (decrypt and check every byte), ``backup restore`` into a second
installation (its own cluster, FerretDB and key store), the R6 lab, and the raw streaming-encryption
throughput. Figures go to docs/benchmarks.md through bench/report.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.backup.crypto import DecryptingReader, EncryptingWriter, new_key  # noqa: E402
from report import write_section  # noqa: E402


def _cli(env: dict[str, str], *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "promptsales.cli", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if check and result.returncode != 0:
        raise SystemExit(f"promptsales {' '.join(args)} failed:\n{result.stderr}")
    return seconds, result


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f}"


def crypto_throughput(size: int = 256 * 2**20) -> tuple[float, float]:
    """MiB/s of the streaming encryption and decryption alone (in memory, 1 MiB chunks)."""
    block = os.urandom(2**20)
    sink = io.BytesIO()
    started = time.perf_counter()
    writer = EncryptingWriter(sink, key := new_key(), "bench", 2**20)
    for _ in range(size // len(block)):
        writer.write(block)
    writer.close()
    encrypt = size / 2**20 / (time.perf_counter() - started)
    sink.seek(0)
    started = time.perf_counter()
    for _ in DecryptingReader(sink, key, "bench").chunks():
        pass
    decrypt = size / 2**20 / (time.perf_counter() - started)
    return encrypt, decrypt


def _row_counts(env: dict[str, str]) -> str:
    code = (
        "import json; from promptsales.config import get_settings, DATABASE_NAMES; from promptsales.db.connect import connect\n"
        "out = {}\n"
        "for c in DATABASE_NAMES:\n"
        "    with connect(c, 'admin') as conn:\n"
        '        out[c] = int(conn.execute("SELECT coalesce(sum(n_live_tup),0) FROM pg_stat_user_tables").fetchone()[0])\n'
        "print(json.dumps(out))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return ", ".join(f"{k} ≈{v:,}" for k, v in json.loads(result.stdout).items())


def _checksums(env: dict[str, str]) -> dict[str, dict[str, list]]:
    """Per-table counts and checksums of the four databases of the installation in ``env``."""
    code = (
        "import json; from promptsales.config import get_settings, DATABASE_NAMES\n"
        "from promptsales.db.connect import admin_conninfo; from promptsales.backup.checksums import table_checksums\n"
        "print(json.dumps({c: table_checksums(admin_conninfo(get_settings(), c)) for c in DATABASE_NAMES}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _known_generated_values(env: dict[str, str]) -> list[str]:
    """Generated PII of a few clients (names, emails, phones, decrypted national IDs) to search the backup for."""
    code = (
        "import json; from promptsales.config import get_settings; from promptsales.db.connect import connect\n"
        "from promptsales.crm.service import reveal_client\n"
        "s = get_settings(); out = []\n"
        "with connect('crm', 'app', settings=s) as conn:\n"
        "    ids = [r[0] for r in conn.execute('SELECT client_id FROM crm.clients ORDER BY client_id DESC LIMIT 3')]\n"
        "for i in ids:\n"
        "    c = reveal_client(s, i, actor='bench')\n"
        "    out += [c['email'], c['phone'], c['first_name'] + ' ' + c['last_name'], c['national_id']]\n"
        "print(json.dumps(out))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _occurrences(folder: Path, needles: list[bytes]) -> int:
    """How many times any needle appears in the raw files of a backup (streamed, chunk overlap kept)."""
    found, overlap = 0, max(len(n) for n in needles) - 1
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        tail = b""
        with open(path, "rb") as handle:
            while block := handle.read(1 << 22):
                window = tail + block
                found += sum(window.count(n) for n in needles)
                tail = window[-overlap:]
    return found


def main() -> None:
    """Seed (once), then measure and record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/tmp/promptsales-bench-backup")
    parser.add_argument("--skip-lab", action="store_true", help="Do not time the R6 lab.")
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    target = data_dir.parent / (data_dir.name + "-second")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
    env["PROMPTSALES_DATA_DIR"] = str(data_dir)
    _cli(env, "up")
    seed_seconds, _ = _cli(env, "seed", "--scale", "official", "--if-empty")
    print(f"seed (if empty): {seed_seconds:.1f} s")
    rows = _row_counts(env)

    needles = _known_generated_values(env)  # before the backup: its reveal log rows are then in the dump too
    backup_seconds, run = _cli(env, "backup", "run", "--json")
    source_sums = _checksums(env)  # nothing writes to the bench installation meanwhile
    backup = json.loads(run.stdout)
    manifest = backup["manifest"]
    pii_hits = _occurrences(Path(backup["path"]), [n.encode() for n in needles])
    verify_seconds, verified = _cli(env, "backup", "verify", backup["id"], "--json")
    shutil.rmtree(target, ignore_errors=True)
    restore_seconds, restored = _cli(env, "backup", "restore", backup["id"], "--target", str(target), "--json")
    target_env = env.copy() | {"PROMPTSALES_DATA_DIR": str(target)}
    target_sums = _checksums(target_env)
    tables = sum(len(t) for t in source_sums.values())
    rows_compared = sum(v[0] for t in source_sums.values() for v in t.values())
    differing = [
        f"{c}:{name}"
        for c in source_sums
        for name in set(source_sums[c]) | set(target_sums.get(c, {}))
        if source_sums[c].get(name) != target_sums.get(c, {}).get(name)
    ]
    lab_seconds = None
    if not args.skip_lab:
        lab_seconds, _ = _cli(env, "lab", "run", "crm.restore-elsewhere", "--param", f"target={target}-r6", "--json")
    _cli(target_env, "down", check=False)
    encrypt, decrypt = crypto_throughput()

    plain = sum(entry["plain_bytes"] for entry in manifest["files"])
    cipher = sum(entry["cipher_bytes"] for entry in manifest["files"])
    lines = [
        f"Data: official scale ({rows} live rows per database, from pg_stat_user_tables).",
        "",
        "| file | plaintext MiB | encrypted MiB | seconds (dump + encrypt) |",
        "|---|---|---|---|",
        *[
            f"| {entry['name']} | {_mib(entry['plain_bytes'])} | {_mib(entry['cipher_bytes'])} | {entry['seconds']:.1f} |"
            for entry in manifest["files"]
        ],
        f"| **total** | {_mib(plain)} | {_mib(cipher)} | {manifest['seconds']:.1f} |",
        "",
        "| operation | seconds | notes |",
        "|---|---|---|",
        f"| `backup run` (CLI wall time) | {backup_seconds:.1f} | 4 × pg_dump -Fc ({manifest.get('pg_dump_compression', 'gzip')}) at exported snapshots, MongoDB export, media tar, AES-256-GCM |",
        f"| `backup verify` | {verify_seconds:.1f} | manifest HMAC, every chunk authenticated, both SHA-256 digests |",
        f"| `backup restore` into a second cluster | {restore_seconds:.1f} | verify again + pg_restore ×4 into staging DBs + rename, Mongo load, media; second cluster initdb included |",
        *(
            [
                f"| `lab run crm.restore-elsewhere` (R6) | {lab_seconds:.1f} | backup PromptCRM + restore elsewhere + PKCS#12 export/import + decrypt |"
            ]
            if lab_seconds
            else []
        ),
        f"| streaming encryption alone | {encrypt:,.0f} MiB/s | in memory, 1 MiB chunks; decryption {decrypt:,.0f} MiB/s |",
        "",
        f"Restored = source: {tables} tables and materialized views, {rows_compared:,} rows compared by count and "
        "order-independent content checksum (`promptsales.backup.checksums`): "
        + ("**all equal**." if not differing else f"**{len(differing)} differ**: {', '.join(differing[:10])}"),
        f"Plaintext PII in the backup files: {pii_hits} occurrences of {len(needles)} generated values of 3 clients "
        "(emails, phones, full names, decrypted national IDs) searched in every raw file.",
        "",
        "No timing target is set by the SPEC for backups; N3 asks for daily backups kept 30 days — a daily run of this "
        "duration fits any nightly window.",
    ]
    write_section("Backups (issue 9)", "bench/backup_official.py", lines)
    print("\n".join(lines))
    print(json.dumps({"verify": json.loads(verified.stdout), "restore": json.loads(restored.stdout)}, indent=2)[:2000])


if __name__ == "__main__":
    main()
