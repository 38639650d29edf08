"""PromptCRM at official scale against the real databases (SPEC R2–R5, R7–R9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import psycopg
import pytest

from promptsales.config import Settings
from promptsales.crm import analytics
from promptsales.crm.generate import national_ids
from promptsales.crm.keystore import KeyStore, KeyStoreError
from promptsales.crm.link import ensure_link
from promptsales.crm.service import consistency_report, crm_stats, find_by_national_id, reveal_client
from promptsales.db.connect import admin_conninfo, connect


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real ``promptsales`` entry point in a child process (inherits the session's data dir)."""
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_r2_at_least_500k_clients_and_400_to_1000_per_campaign(seeded: Settings) -> None:
    stats = crm_stats(seeded)
    assert stats["clients"] >= 500_000
    assert 400 <= stats["clients_per_campaign"]["min"] and stats["clients_per_campaign"]["max"] <= 1000
    assert stats["clients_in_several_campaigns"] > 0
    with connect("crm", "analyst", settings=seeded) as conn:
        ads_campaigns = conn.execute("SELECT count(*) FROM ads_link.campaigns").fetchone()[0]
    assert stats["campaigns"] == ads_campaigns >= 1000, "every PromptAds campaign has CRM clients"


def test_r3_consistency_holds_and_a_single_changed_amount_is_found(seeded: Settings) -> None:
    with connect("crm", "app", settings=seeded) as conn:
        report = consistency_report(conn)
        assert report.ok and report.groups_compared > 1000
        sale = conn.execute(
            "UPDATE crm.sales SET amount = amount + 0.01 WHERE sale_id = (SELECT min(sale_id) FROM crm.sales) "
            "RETURNING campaign_id, channel_id, market_id"
        ).fetchone()
        report = consistency_report(conn)
        conn.rollback()
    assert len(report.mismatches) == 1
    found = report.mismatches[0]
    assert (found["campaign_id"], found["channel_id"], found["market_id"]) == sale
    assert float(found["crm_revenue"]) - float(found["ads_revenue"]) == pytest.approx(0.01)
    assert found["crm_sales"] == found["ads_sales"] and found["crm_clients"] == found["ads_leads"]


def test_check_consistency_cli_exit_codes(seeded: Settings, clone_db) -> None:
    ok = run_cli("check", "consistency", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    clone = clone_db("crm")
    with connect("crm", "owner", settings=seeded, dbname=clone) as conn:
        conn.execute(
            "DELETE FROM crm.client_campaigns WHERE (campaign_id, client_id) IN "
            "(SELECT campaign_id, client_id FROM crm.leads l WHERE NOT EXISTS "
            "(SELECT 1 FROM crm.sales s WHERE s.lead_id = l.lead_id) ORDER BY lead_id LIMIT 1)"
        )
        conn.execute(
            "DELETE FROM crm.interactions WHERE lead_id = (SELECT min(lead_id) FROM crm.leads l WHERE NOT "
            "EXISTS (SELECT 1 FROM crm.sales s WHERE s.lead_id = l.lead_id))"
        )
        conn.execute(
            "DELETE FROM crm.lead_stage_history WHERE lead_id = (SELECT min(lead_id) FROM crm.leads l WHERE "
            "NOT EXISTS (SELECT 1 FROM crm.sales s WHERE s.lead_id = l.lead_id))"
        )
        conn.execute(
            "DELETE FROM crm.leads WHERE lead_id = (SELECT min(lead_id) FROM crm.leads l WHERE NOT EXISTS "
            "(SELECT 1 FROM crm.sales s WHERE s.lead_id = l.lead_id))"
        )
    url = admin_conninfo(seeded, "crm", clone)
    bad = run_cli("check", "consistency", "--json", env={"PROMPTSALES_CRM_DATABASE_URL": url})
    assert bad.returncode == 1, bad.stderr
    mismatches = json.loads(bad.stdout)["mismatches"]
    assert len(mismatches) == 1 and mismatches[0]["crm_clients"] == mismatches[0]["ads_leads"] - 1


def test_r4_foreign_tables_read_promptads_and_refuse_writes(seeded: Settings) -> None:
    with connect("ads", "analyst", settings=seeded) as ads:
        expected = ads.execute("SELECT count(*), sum(revenue) FROM ads.ad_results").fetchone()
    with connect("crm", "app", settings=seeded) as conn:
        assert conn.execute("SELECT count(*), sum(revenue) FROM ads_link.ad_results").fetchone() == expected
        remote_user = conn.execute(
            "SELECT option_value FROM pg_user_mappings m, pg_options_to_table(m.umoptions) "
            "WHERE m.srvname = 'promptads_link' AND option_name = 'user'"
        ).fetchone()
        with pytest.raises(psycopg.Error, match="does not allow"):
            conn.execute("UPDATE ads_link.campaigns SET budget = 0")
        conn.rollback()
    with psycopg.connect(admin_conninfo(seeded, "crm")) as admin:
        mapping = admin.execute(
            "SELECT option_value FROM pg_user_mappings m, pg_options_to_table(m.umoptions) "
            "WHERE m.srvname = 'promptads_link' AND option_name = 'user'"
        ).fetchone()[0]
        assert mapping == "promptads_etl"
        # even with the local guard lifted, the remote read-only role refuses the write
        admin.execute("ALTER SERVER promptads_link OPTIONS (SET updatable 'true')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            admin.execute("UPDATE ads_link.campaigns SET budget = 0")
        admin.rollback()
    assert remote_user is None or remote_user[0] == "promptads_etl"


def _relation_bytes(conn: psycopg.Connection, relation: str) -> bytes:
    """Every byte of a relation's main fork on disk (all 1 GB segments)."""
    path = conn.execute("SELECT pg_relation_filepath(%s::regclass)", (relation,)).fetchone()[0]
    chunks, segment = [], 0
    while True:
        name = path if segment == 0 else f"{path}.{segment}"
        if conn.execute("SELECT pg_stat_file(%s, true)", (name,)).fetchone()[0] is None:
            break
        chunks.append(bytes(conn.execute("SELECT pg_read_binary_file(%s)", (name,)).fetchone()[0]))
        segment += 1
    return b"".join(chunks)


def test_r5_no_national_id_or_context_in_clear_on_disk(seeded: Settings) -> None:
    client = reveal_client(seeded, 4242)
    national_id, note = client["national_id"], client["context"]["note"]
    # decrypt returns the original: the generator's national ID of client 4242
    assert national_id == national_ids([client["country_code"]], np.array([4242]))[0]
    with psycopg.connect(admin_conninfo(seeded, "crm"), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        toast = conn.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'crm.clients'::regclass"
        ).fetchone()[0]
        relations = ["crm.clients", toast, "crm.logs", "crm.data_keys"]
        for relation in relations:
            data = _relation_bytes(conn, relation)
            assert national_id.encode() not in data, relation
            assert national_id.replace("-", "").encode() not in data, relation
            assert f'"note": "{note}"'.encode() not in data, relation
        assert len(_relation_bytes(conn, "crm.clients")) > 50_000_000  # the scan really read the table
        # and no text column holds it either
        hit = conn.execute(
            "SELECT count(*) FROM crm.clients c WHERE strpos(c::text, %s) > 0", (national_id,)
        ).fetchone()[0]
        assert hit == 0


def test_r5_blind_index_finds_the_client_without_decrypting_the_table(seeded: Settings) -> None:
    national_id = reveal_client(seeded, 31337)["national_id"]
    assert find_by_national_id(seeded, national_id) == [31337]
    assert find_by_national_id(seeded, national_id.replace("-", " ").lower()) == [31337]
    assert find_by_national_id(seeded, "ZZ-9-9999-9999") == []


def test_r5_missing_or_wrong_certificate_is_a_clear_error(seeded: Settings, tmp_path: Path) -> None:
    empty = KeyStore(tmp_path / "other-server")
    with pytest.raises(KeyStoreError, match="not in the key store"):
        reveal_client(seeded, 1, keystore=empty)
    empty.ensure()  # another server's own certificate: still the wrong one
    with pytest.raises(KeyStoreError, match="not in the key store .* holds: [0-9a-f]{16}"):
        reveal_client(seeded, 1, keystore=empty)
    # with the original certificate imported (PKCS#12), the same store decrypts
    original = KeyStore.for_server(seeded)
    empty.import_pkcs12(original.export_pkcs12("s3cret-pass"), "s3cret-pass")
    assert reveal_client(seeded, 1, keystore=empty)["national_id"] == reveal_client(seeded, 1)["national_id"]


def test_cli_reveal_find_and_stats(seeded: Settings) -> None:
    shown = run_cli("crm", "reveal", "7", "--json")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["client_id"] == 7 and record["context"]["income_band"]
    found = run_cli("crm", "find", "--national-id", record["national_id"], "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["client_ids"] == [7]
    stats = run_cli("stats", "crm", "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["clients"] >= 500_000
    with connect("crm", "analyst", settings=seeded) as conn:
        assert (
            conn.execute(
                "SELECT count(*) FROM crm.logs l JOIN crm.log_types t USING (log_type_id) "
                "WHERE t.code = 'security' AND reference_id1 = 7"
            ).fetchone()[0]
            >= 1
        ), "every reveal is logged"


@pytest.mark.parametrize(
    "args, message",
    [
        (("crm", "reveal", "999999999"), "Unknown client 999999999"),
        (("crm", "reveal", "abc"), "positive integer"),
        (("crm", "reveal", "0"), "positive integer"),
        (("crm", "find", "--national-id", "12-34"), "Malformed national ID"),
    ],
)
def test_cli_bad_input_exits_2_with_a_clear_message(seeded: Settings, args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_clients_live_around_their_market(seeded: Settings) -> None:
    with connect("crm", "analyst", settings=seeded) as conn:
        p50, p95, bands = conn.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), percentile_cont(0.95) WITHIN GROUP (ORDER BY d), "
            "count(DISTINCT crm.distance_band(d)) FROM (SELECT crm.haversine_km(c.latitude, c.longitude, m.latitude, "
            "m.longitude) AS d FROM crm.clients c JOIN ads_link.markets m ON m.market_id = c.home_market_id) x"
        ).fetchone()
    assert p50 < 40 and p95 < 1000 and bands == 5


def test_r7_r9_optimized_analytics_same_rows_and_uses_view_indexes(seeded: Settings) -> None:
    base = analytics.run_query(seeded, 2025, "US", optimized=False)
    fast = analytics.run_query(seeded, 2025, "US", optimized=True)
    assert len(fast.rows) > 100 and base.rows == fast.rows
    columns = fast.columns
    assert {"revenue_rank", "corr_spend_revenue", "distance_band", "channel_id", "market_id", "month"} <= set(columns)
    plan = analytics.explain(seeded, 2025, "US", optimized=True)
    assert "mv_crm_monthly_band_key" in plan and "mv_ads_monthly_key" in plan
    before = analytics.explain(seeded, 2025, "US", optimized=False)
    assert "Foreign Scan" in before and "mv_" not in before
    assert analytics.refresh_views(seeded) == ["refreshed crm.mv_ads_monthly", "refreshed crm.mv_crm_monthly_band"]


def test_linked_server_points_at_a_cloned_promptads(seeded: Settings, clone_db) -> None:
    ads_clone = clone_db("ads")
    with connect("ads", "owner", settings=seeded, dbname=ads_clone) as conn:
        conn.execute("DELETE FROM ads.influencer_reactions")
    crm_clone = clone_db("crm")
    ensure_link(seeded, crm_clone, ads_clone)
    with connect("crm", "app", settings=seeded, dbname=crm_clone) as conn:
        assert conn.execute("SELECT count(*) FROM ads_link.influencer_reactions").fetchone()[0] == 0
    with connect("crm", "app", settings=seeded) as conn:
        assert conn.execute("SELECT count(*) FROM ads_link.influencer_reactions").fetchone()[0] > 0
