"""crmsp_write_log and the course-template procedure that uses it (SPEC R10)."""

from __future__ import annotations

import psycopg
import pytest

from crm_log_checksum import canonical_checksum
from promptsales.config import Settings
from promptsales.db.connect import connect


def test_write_log_writes_one_row_with_a_valid_checksum(settings: Settings) -> None:
    with connect("crm", "app", settings=settings) as conn:
        before = conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0]
        log_id = conn.execute(
            "CALL crm.crmsp_write_log('audit', 'service', 'info', 'test entry', 11, NULL, 'v1', NULL, NULL)"
        ).fetchone()[0]
        assert conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0] == before + 1
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        row = cur.execute("SELECT * FROM crm.logs WHERE log_id = %s", (log_id,)).fetchone()
        assert row["description"] == "test entry" and row["reference_id1"] == 11 and row["value1"] == "v1"
        assert row["username"] == "promptcrm_app" and row["computer"]
        assert row["checksum"] == canonical_checksum(row)
        assert conn.execute("SELECT valid FROM crm.log_verification WHERE log_id = %s", (log_id,)).fetchone()[0]
        conn.rollback()


def test_a_tampered_row_fails_verification(settings: Settings) -> None:
    with connect("crm", "app", settings=settings) as conn:
        log_id = conn.execute(
            "CALL crm.crmsp_write_log('audit', 'service', 'info', 'amount 10', 1, 2, '10', '20', NULL)"
        ).fetchone()[0]
        conn.execute("UPDATE crm.logs SET value1 = '1000' WHERE log_id = %s", (log_id,))
        assert (
            conn.execute("SELECT valid FROM crm.log_verification WHERE log_id = %s", (log_id,)).fetchone()[0] is False
        )
        conn.execute("UPDATE crm.logs SET value1 = '10' WHERE log_id = %s", (log_id,))
        assert conn.execute("SELECT valid FROM crm.log_verification WHERE log_id = %s", (log_id,)).fetchone()[0] is True
        conn.rollback()


@pytest.mark.parametrize(
    "call, sqlstate",
    [
        ("CALL crm.crmsp_write_log('nope', 'service', 'info', 'x')", "PC001"),
        ("CALL crm.crmsp_write_log('audit', 'service', 'loud', 'x')", "PC001"),
        ("CALL crm.crmsp_write_log('audit', 'service', 'info', '   ')", "PC002"),
    ],
)
def test_bad_log_input_raises_the_catalogued_sqlstate_and_writes_nothing(
    settings: Settings, call: str, sqlstate: str
) -> None:
    with connect("crm", "app", settings=settings, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0]
        with pytest.raises(psycopg.Error) as error:
            conn.execute(call)
        assert error.value.sqlstate == sqlstate
        assert (
            conn.execute("SELECT count(*) FROM crm.error_catalog WHERE error_code = %s", (sqlstate,)).fetchone()[0] == 1
        )
        assert conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0] == before


def test_advance_lead_stage_follows_the_template(settings: Settings, clone_db) -> None:
    """Own transaction: commits its change and log; a refused move raises PC013 and keeps its log row."""
    dbname = clone_db("crm")
    with connect("crm", "owner", settings=settings, dbname=dbname) as conn:
        key_id = conn.execute(
            "INSERT INTO crm.data_keys (purpose, algorithm, wrapped_key, cert_fingerprint) "
            "VALUES ('field', 'AES-256-GCM', '\\x00', repeat('a', 64)) RETURNING data_key_id"
        ).fetchone()[0]
        client_id = conn.execute(
            "INSERT INTO crm.clients (first_name, last_name, email, phone, birth_year, home_market_id, country_code, "
            "region, city, latitude, longitude, national_id_enc, national_id_bidx, context_enc, data_key_id) "
            "VALUES ('Ana', 'Mora', 'ana@example.com', '+506 1', 1990, 1, 'CR', 'Central America', 'San José', "
            "9.9, -84.1, '\\x00', decode(repeat('00', 16), 'hex'), '\\x00', %s) RETURNING client_id",
            (key_id,),
        ).fetchone()[0]
        lead_id = conn.execute(
            "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id, stage_id, score, "
            "created_at) VALUES (%s, 1, 1, 1, 1, 1, 1, 50, now()) RETURNING lead_id",
            (client_id,),
        ).fetchone()[0]
        conn.commit()
    with connect("crm", "app", settings=settings, dbname=dbname, autocommit=True) as conn:
        conn.execute("CALL crm.crmsp_advance_lead_stage(%s, 'qualified', 'tester')", (lead_id,))
        assert conn.execute("SELECT stage_id FROM crm.leads WHERE lead_id = %s", (lead_id,)).fetchone()[0] == 4
        history = conn.execute(
            "SELECT from_stage_id, to_stage_id, changed_by FROM crm.lead_stage_history WHERE lead_id = %s", (lead_id,)
        ).fetchall()
        assert history == [(1, 4, "tester")]
        with pytest.raises(psycopg.Error) as error:
            conn.execute("CALL crm.crmsp_advance_lead_stage(%s, 'contacted')", (lead_id,))
        assert error.value.sqlstate == "PC013"
        logged = conn.execute(
            "SELECT value2, valid FROM crm.logs JOIN crm.log_verification USING (log_id) "
            "WHERE reference_id1 = %s ORDER BY log_id",
            (lead_id,),
        ).fetchall()
        assert [v for v, _ in logged][-1] == "PC013" and all(valid for _, valid in logged)
        assert conn.execute("SELECT stage_id FROM crm.leads WHERE lead_id = %s", (lead_id,)).fetchone()[0] == 4
        with pytest.raises(psycopg.Error) as error:
            conn.execute("CALL crm.crmsp_advance_lead_stage(-5, 'won')")
        assert error.value.sqlstate == "PC010"
    # inside a caller's transaction the procedure does not commit: the caller's rollback undoes it
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        conn.execute("CALL crm.crmsp_advance_lead_stage(%s, 'won')", (lead_id,))
        conn.rollback()
        assert conn.execute("SELECT stage_id FROM crm.leads WHERE lead_id = %s", (lead_id,)).fetchone()[0] == 4
