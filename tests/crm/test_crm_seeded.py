"""PromptCRM at official scale against the real databases (SPEC R2–R5, R7–R9)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
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
    with connect("ads", "analyst", settings=seeded) as conn:
        # campaigns launched later through the portal (other tests do) have no results, hence no clients yet
        ads_campaigns = conn.execute(
            "SELECT count(*) FROM ads.campaigns c WHERE EXISTS "
            "(SELECT 1 FROM ads.ad_results r WHERE r.campaign_id = c.campaign_id AND r.leads > 0)"
        ).fetchone()[0]
    assert stats["campaigns"] == ads_campaigns >= 1000, "every PromptAds campaign with leads has CRM clients"


def _ads_side(settings: Settings) -> dict[tuple, tuple]:
    """PromptAds per campaign × channel × market, read from its own database (not the linked server):
    (leads, sales, revenue)."""
    with connect("ads", "analyst", settings=settings) as conn:
        rows = conn.execute(
            "SELECT campaign_id, channel_id, market_id, sum(leads), sum(sales), sum(revenue) "
            "FROM ads.ad_results GROUP BY 1, 2, 3"
        ).fetchall()
    return {tuple(row[:3]): tuple(row[3:]) for row in rows}


def _crm_side(conn: psycopg.Connection) -> dict[tuple, tuple]:
    """PromptCRM per campaign × channel × market: (distinct clients reached, sales, revenue)."""
    reached = conn.execute(
        "SELECT campaign_id, channel_id, market_id, count(DISTINCT client_id) FROM crm.leads GROUP BY 1, 2, 3"
    ).fetchall()
    sold = conn.execute(
        "SELECT campaign_id, channel_id, market_id, count(*), sum(amount) FROM crm.sales GROUP BY 1, 2, 3"
    ).fetchall()
    clients = {tuple(row[:3]): row[3] for row in reached}
    sales = {tuple(row[:3]): tuple(row[3:]) for row in sold}
    return {key: (clients.get(key, 0), *sales.get(key, (0, 0))) for key in clients.keys() | sales.keys()}


def _compare(ads: dict[tuple, tuple], crm: dict[tuple, tuple]) -> tuple[int, dict[tuple, tuple]]:
    """(groups compared, the groups whose three figures differ → (ads figures, crm figures))."""
    groups = ads.keys() | crm.keys()
    differ = {key: (ads.get(key, (0, 0, 0)), crm.get(key, (0, 0, 0))) for key in groups}
    return len(groups), {key: pair for key, pair in differ.items() if pair[0] != pair[1]}


def test_r3_consistency_holds_and_a_single_changed_amount_is_found(seeded: Settings) -> None:
    """The report agrees with a comparison recomputed here from each company's own database."""
    ads = _ads_side(seeded)
    with connect("crm", "app", settings=seeded) as conn:
        groups, differ = _compare(ads, _crm_side(conn))
        report = consistency_report(conn)
        assert differ == {} and groups > 1000
        assert report.ok and report.groups_compared == groups
        sale = conn.execute(
            "UPDATE crm.sales SET amount = amount + 0.01 WHERE sale_id = (SELECT min(sale_id) FROM crm.sales) "
            "RETURNING campaign_id, channel_id, market_id"
        ).fetchone()
        _, differ = _compare(ads, _crm_side(conn))
        report = consistency_report(conn)
        conn.rollback()
    assert list(differ) == [sale]
    (ads_leads, ads_sales, ads_revenue), (crm_clients, crm_sales, crm_revenue) = differ[sale]
    assert crm_revenue - ads_revenue == Decimal("0.01") and (crm_clients, crm_sales) == (ads_leads, ads_sales)
    assert len(report.mismatches) == 1
    found = report.mismatches[0]
    assert (found["campaign_id"], found["channel_id"], found["market_id"]) == sale
    assert Decimal(str(found["crm_revenue"])) == crm_revenue and Decimal(str(found["ads_revenue"])) == ads_revenue
    assert (found["crm_sales"], found["ads_sales"], found["crm_clients"], found["ads_leads"]) == (
        crm_sales,
        ads_sales,
        crm_clients,
        ads_leads,
    )


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
        # the service role cannot read the linked server's credentials (user mapping options are hidden)
        assert (
            conn.execute(
                "SELECT count(*) FROM pg_user_mappings m, pg_options_to_table(m.umoptions) "
                "WHERE m.srvname = 'promptads_link'"
            ).fetchone()[0]
            == 0
        )
        assert conn.execute("SELECT count(*) FROM pg_user_mappings WHERE srvname = 'promptads_link'").fetchone()[0] >= 1
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


#: A national ID in clear, hyphenated (CR-1-0234-0567) or not (CR102340567).
NATIONAL_ID_SHAPE = re.compile(rb"[A-Z]{2}-?[0-9]-?[0-9]{4}-?[0-9]{4}")
#: Keys of the clients' context JSON, as it reads in clear.
CONTEXT_IN_CLEAR = (b'"income_band": "', b'"note": "')


def national_id_shapes(data: bytes) -> set[bytes]:
    """Every national-ID-shaped string in ``data``: numpy finds pairs of capitals followed by digits or
    dashes at the right places, the regex confirms the few candidates (a regex alone is slow over GBs)."""
    a = np.frombuffer(data + bytes(16), dtype=np.uint8)
    upper = (a - np.uint8(65)) < 26  # uint8 arithmetic wraps below "A"
    pairs = np.flatnonzero(upper[: len(data)] & upper[1 : len(data) + 1])
    dash = [a[pairs + k] == 45 for k in (2, 4, 9)]
    digit = [(a[pairs + k] - np.uint8(48)) < 10 for k in (2, 6, 10)]
    candidates = pairs[(dash[0] & dash[1] & dash[2]) | (digit[0] & digit[1] & digit[2])].tolist()
    return {m.group() for i in candidates if (m := NATIONAL_ID_SHAPE.match(data, i))}


def clear_text_on_disk(files: list[Path]) -> tuple[int, set[bytes]]:
    """(bytes read, national IDs and context keys found in clear) over ``files``, in 16 MB chunks that
    overlap by 16 bytes so nothing is missed at a chunk border."""
    size, found, chunk = 0, set(), 16 * 2**20
    for path in files:
        with path.open("rb") as stream:
            tail = b""
            while block := stream.read(chunk):
                data = tail + block
                size += len(block)
                found |= national_id_shapes(data) | {key for key in CONTEXT_IN_CLEAR if key in data}
                tail = data[-16:]
    return size, found


def _relation_files(conn: psycopg.Connection, data_directory: Path, relation: str) -> list[Path]:
    """The files of a relation's main fork (all 1 GB segments)."""
    first = data_directory / conn.execute("SELECT pg_relation_filepath(%s::regclass)", (relation,)).fetchone()[0]
    return sorted(first.parent.glob(f"{first.name}*"), key=lambda p: (len(p.name), p.name))


def test_r5_no_national_id_or_context_in_clear_on_disk(seeded: Settings) -> None:
    """No national ID of any client, in either spelling, and no context field in clear: not in the files of
    the CRM clients table (heap and TOAST), logs or key table, and not in the write-ahead log."""
    sample = [1, 7, 4242, 31337, 250_000, crm_stats(seeded)["clients"]]
    revealed = [reveal_client(seeded, client_id) for client_id in sample]
    for client_id, client in zip(sample, revealed):  # decryption gives the generator's national ID back
        assert client["national_id"] == national_ids([client["country_code"]], np.array([client_id]))[0]
        assert NATIONAL_ID_SHAPE.fullmatch(client["national_id"].encode())  # the scan would see it
    with psycopg.connect(admin_conninfo(seeded, "crm"), autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # every committed page written to the relation files
        data_directory = Path(conn.execute("SHOW data_directory").fetchone()[0])
        toast = conn.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'crm.clients'::regclass"
        ).fetchone()[0]
        for relation in ["crm.clients", toast, "crm.logs", "crm.data_keys"]:
            size, found = clear_text_on_disk(_relation_files(conn, data_directory, relation))
            assert found == set(), relation
            if relation == "crm.clients":
                assert size > 50_000_000  # the scan really read the table
    wal = sorted(path for path in (data_directory / "pg_wal").iterdir() if re.fullmatch(r"[0-9A-F]{24}", path.name))
    size, found = clear_text_on_disk(wal)
    assert wal and size >= 16 * 2**20 and found == set()


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


def _security_logs(settings: Settings, client_id: int) -> int:
    with connect("crm", "analyst", settings=settings) as conn:
        return conn.execute(
            "SELECT count(*) FROM crm.logs l JOIN crm.log_types t USING (log_type_id) "
            "WHERE t.code = 'security' AND reference_id1 = %s",
            (client_id,),
        ).fetchone()[0]


def test_cli_reveal_find_and_stats(seeded: Settings) -> None:
    logged_before = _security_logs(seeded, 7)
    shown = run_cli("crm", "reveal", "7", "--json")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["client_id"] == 7 and record["context"]["income_band"]
    found = run_cli("crm", "find", "--national-id", record["national_id"], "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["client_ids"] == [7]
    stats = run_cli("stats", "crm", "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["clients"] >= 500_000
    assert _security_logs(seeded, 7) == logged_before + 1, "the reveal is logged (find reveals nothing)"


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
