"""Foundation (issue 2): real servers, migrations, roles and the CLI's error contract (SPEC G1, G5, N4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pymongo
import pytest
import redis

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import connect
from promptsales.db.migrate import MigrationError, migrate_all, migrate_company
from promptsales.errors import UserError
from promptsales.runtime import manager
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.prefork import Job, Launcher
from promptsales.runtime.processes import pid_alive, wait_until
from promptsales.runtime.valkey import ValkeyServer
from promptsales.wiring import CLI_ENTRY_POINT

REQUIRED_EXTENSIONS = {"vector", "postgres_fdw", "pg_stat_statements", "pg_trgm"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real ``promptsales`` entry point in a child process."""
    full_env = {k: v for k, v in os.environ.items()}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], capture_output=True, text=True, env=full_env, timeout=300
    )


@pytest.mark.parametrize("company", list(DATABASE_NAMES))
def test_each_company_database_has_the_extensions(settings: Settings, company: str) -> None:
    with connect(company, "app", settings=settings) as conn:
        installed = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
        assert conn.execute("SELECT current_database()").fetchone()[0] == DATABASE_NAMES[company]
        assert conn.execute("SELECT current_user").fetchone()[0] == f"{DATABASE_NAMES[company]}_app"
    assert REQUIRED_EXTENSIONS <= installed


def test_pg_stat_statements_is_preloaded(settings: Settings) -> None:
    with connect("ads", "admin", settings=settings) as conn:
        conn.execute("SELECT 1")
        assert "pg_stat_statements" in conn.execute("SHOW shared_preload_libraries").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM pg_stat_statements").fetchone()[0] > 0


def test_mongo_round_trip(settings: Settings) -> None:
    client = pymongo.MongoClient(MongoServer(settings).url, serverSelectionTimeoutMS=5000)
    collection = client["foundation_test"]["round_trip"]
    inserted = collection.insert_one({"name": "lanzamiento", "tags": ["#verano", "#promo"], "n": 3})
    found = collection.find_one({"_id": inserted.inserted_id})
    assert found["tags"] == ["#verano", "#promo"] and found["n"] == 3
    collection.drop()
    client.close()


def test_valkey_round_trip(settings: Settings) -> None:
    client = redis.Redis.from_url(ValkeyServer(settings).url)
    client.set("foundation:test", "valor", ex=30)
    assert client.get("foundation:test") == b"valor"
    assert 0 < client.ttl("foundation:test") <= 30
    client.delete("foundation:test")


def test_valkey_requires_a_password(settings: Settings) -> None:
    port = ValkeyServer(settings).state.get("valkey")["port"]
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host="127.0.0.1", port=port).ping()


def test_applying_migrations_twice_changes_nothing(settings: Settings) -> None:
    with connect("ads", "admin", settings=settings) as conn:
        before = conn.execute("SELECT version, checksum, applied_at FROM meta.schema_migrations ORDER BY 1").fetchall()
    assert migrate_all(settings) == []
    with connect("ads", "admin", settings=settings) as conn:
        after = conn.execute("SELECT version, checksum, applied_at FROM meta.schema_migrations ORDER BY 1").fetchall()
    assert before == after and len(before) >= 1


def test_modified_applied_migration_is_refused(settings: Settings, clone_db, tmp_path: Path) -> None:
    dbname = clone_db("ads")
    (tmp_path / "9001_first.sql").write_text("CREATE TABLE ads.example (id int PRIMARY KEY);\n")
    assert migrate_company(settings, "ads", dbname=dbname, directory=tmp_path) == ["ads/9001_first.sql"]
    (tmp_path / "9001_first.sql").write_text("CREATE TABLE ads.example (id bigint PRIMARY KEY);\n")
    (tmp_path / "9002_second.sql").write_text("CREATE TABLE ads.second (id int);\n")
    with pytest.raises(MigrationError, match="9001_first.sql of ads was changed after it was applied"):
        migrate_company(settings, "ads", dbname=dbname, directory=tmp_path)
    with connect("ads", "admin", settings=settings, dbname=dbname) as conn:
        assert conn.execute("SELECT to_regclass('ads.second')").fetchone()[0] is None


def test_failed_migration_writes_nothing(settings: Settings, clone_db, tmp_path: Path) -> None:
    dbname = clone_db("ads")
    (tmp_path / "9001_broken.sql").write_text("CREATE TABLE ads.half (id int);\nSELECT no_such_function();\n")
    with pytest.raises(MigrationError, match="9001_broken.sql of ads failed"):
        migrate_company(settings, "ads", dbname=dbname, directory=tmp_path)
    with connect("ads", "admin", settings=settings, dbname=dbname) as conn:
        assert conn.execute("SELECT to_regclass('ads.half')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM meta.schema_migrations WHERE name = 'broken'").fetchone()[0] == 0


def test_default_privileges_give_least_privilege(settings: Settings, clone_db, tmp_path: Path) -> None:
    dbname = clone_db("crm")
    (tmp_path / "9001_table.sql").write_text("CREATE TABLE crm.sample (id int PRIMARY KEY, v text);\n")
    migrate_company(settings, "crm", dbname=dbname, directory=tmp_path)
    with connect("crm", "app", settings=settings, dbname=dbname, autocommit=True) as app:
        app.execute("INSERT INTO crm.sample VALUES (1, 'uno')")
    with connect("crm", "analyst", settings=settings, dbname=dbname, autocommit=True) as analyst:
        assert analyst.execute("SELECT v FROM crm.sample").fetchone() == ("uno",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("INSERT INTO crm.sample VALUES (2, 'dos')")
    with connect("crm", "etl", settings=settings, dbname=dbname, autocommit=True) as etl:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            etl.execute("DELETE FROM crm.sample")
    with connect("crm", "app", settings=settings, dbname=dbname, autocommit=True) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DROP TABLE crm.sample")


def test_prefork_launcher_runs_each_job_detached_with_its_own_log(tmp_path: Path) -> None:
    launcher = Launcher(preload=("promptsales.cli",))
    jobs = [
        Job(CLI_ENTRY_POINT, ["--help"], tmp_path / "root.log"),
        Job(CLI_ENTRY_POINT, ["mcp", "--help"], tmp_path / "mcp.log"),
    ]
    pids = launcher.launch(jobs)
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert wait_until(lambda: not any(pid_alive(pid) for pid in pids), timeout=60)
    assert "Usage: promptsales" in (tmp_path / "root.log").read_text()
    assert "serve" in (tmp_path / "mcp.log").read_text()


def test_an_unused_prefork_launcher_is_stopped_without_waiting_for_its_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`up` with nothing to start, or stopped by an error, closes its launcher: killed, not asked to launch
    nothing (which waited until the launcher had imported everything it preloads)."""
    from promptsales.runtime import prefork

    (tmp_path / "imports_forever.py").write_text("import time\ntime.sleep(3600)\n")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setattr(prefork, "LAUNCH_TIMEOUT", 5.0)  # the previous close() waited this long, then failed
    launcher = Launcher(preload=("imports_forever",))
    pid = launcher._process.pid
    launcher.close()
    assert not pid_alive(pid)


def test_prefork_launcher_reports_a_failed_preload_clearly() -> None:
    with pytest.raises(UserError, match="no_such_module"):
        Launcher(preload=("promptsales.no_such_module",)).launch([])


@pytest.mark.parametrize(
    "variable, url",
    [
        ("PROMPTSALES_REDIS_URL", "redis://127.0.0.1:1/0"),
        ("PROMPTSALES_CONTENT_MONGO_URL", "mongodb://127.0.0.1:1/"),
        ("PROMPTSALES_CRM_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/promptcrm"),
    ],
)
def test_unreachable_configured_url_exits_2_and_leaves_servers_running(
    settings: Settings, variable: str, url: str
) -> None:
    def databases() -> dict[str, tuple[int | None, bool]]:
        reports = [service.status() for service in manager.data_services(settings)]
        return {report.name: (report.pid, report.healthy) for report in reports}

    before = databases()
    result = run_cli("up", env={variable: url, "PROMPTSALES_CONNECT_TIMEOUT": "1"})
    assert result.returncode == 2
    assert variable in result.stderr and "does not answer" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    after = databases()
    assert after == before and all(healthy for _, healthy in after.values())


def test_cli_usage_errors_exit_2(settings: Settings) -> None:
    assert run_cli("migrate", "--company", "nope").returncode == 2
    result = run_cli("reset")
    assert result.returncode == 2 and "--yes" in result.stderr
    assert Path(settings.data_path, "state.json").exists()
