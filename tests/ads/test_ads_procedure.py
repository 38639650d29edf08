"""``ads.adssp_create_campaign`` (SPEC A2): TVP arrays, all-or-nothing, custom SQLSTATEs, log rows, concurrency."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import pytest

from promptsales.ads.service import AdInput, CampaignError, ChannelInput, MarketInput, create_campaign
from promptsales.db.connect import connect
from promptsales.testing import sample_campaign_request

COUNTED = ("campaigns", "campaign_channels", "campaign_markets", "ads", "logs")


#: What a refused call leaves behind: its error row in the log, nothing else.
ONLY_THE_LOG = {"campaigns": 0, "campaign_channels": 0, "campaign_markets": 0, "ads": 0, "logs": 1}


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM ads.{t}").fetchone()[0] for t in COUNTED}


def written_since(conn, before: dict[str, int]) -> dict[str, int]:
    """Rows added to each counted table since ``before`` (from :func:`counts`)."""
    after = counts(conn)
    return {t: after[t] - before[t] for t in COUNTED}


def last_log(conn):
    return conn.execute("""SELECT t.code, s.code, l.description, l.value1, l.value2, l.checksum
                           FROM ads.logs l JOIN ads.log_types t USING (log_type_id) JOIN ads.log_sources s USING (log_source_id)
                           ORDER BY l.log_id DESC LIMIT 1""").fetchone()


def test_valid_call_creates_exactly_the_expected_rows(ads_conn):
    before = counts(ads_conn)
    campaign_id = create_campaign(ads_conn, sample_campaign_request("Lanzamiento Prueba 2026"))
    assert written_since(ads_conn, before) == {
        "campaigns": 1,
        "campaign_channels": 5,
        "campaign_markets": 5,
        "ads": 10,
        "logs": 1,
    }
    row = ads_conn.execute(
        "SELECT name, brand_id, objective, budget, status FROM ads.campaigns WHERE campaign_id = %s", (campaign_id,)
    ).fetchone()
    assert row[:4] == ("Lanzamiento Prueba 2026", 1, "leads", 25000)
    assert ads_conn.execute(
        "SELECT array_agg(channel_id ORDER BY channel_id) FROM ads.campaign_channels WHERE campaign_id = %s",
        (campaign_id,),
    ).fetchone()[0] == [1, 2, 3, 4, 5]
    headlines = ads_conn.execute(
        "SELECT headline FROM ads.ads WHERE campaign_id = %s ORDER BY ad_id", (campaign_id,)
    ).fetchall()
    assert [h[0] for h in headlines] == [f"Headline {i}" for i in range(10)]
    assert last_log(ads_conn)[:2] == ("audit", "adssp_create_campaign")


def test_one_bad_channel_writes_nothing_returns_custom_code_and_logs_once(ads_conn):
    before = counts(ads_conn)
    bad = sample_campaign_request(
        "Campaña con canal malo", channels=[ChannelInput(1, 0.5), ChannelInput(999, 0.5)], n_ads=0, ads=[]
    )
    with pytest.raises(CampaignError) as raised:
        create_campaign(ads_conn, bad)
    assert raised.value.code == "PA002"
    assert "999" in str(raised.value)
    assert written_since(ads_conn, before) == ONLY_THE_LOG
    log = last_log(ads_conn)
    assert log[0] == "error" and log[3] == "Campaña con canal malo" and log[4] == "PA002" and "999" in log[2]
    assert ads_conn.execute("SELECT error_code FROM ads.error_catalog WHERE error_code = 'PA002'").fetchone()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"objective": "fame"}, "PA001"),
        ({"end_date": date(2026, 1, 1)}, "PA001"),
        ({"brand_id": 987654}, "PA004"),
        ({"markets": [MarketInput(1), MarketInput(777)]}, "PA003"),
        ({"ads": [AdInput(channel_id=9, format="image", headline="h", copy="c")]}, "PA006"),
        ({"channels": [ChannelInput(1, 0.7), ChannelInput(2, 0.7)], "ads": []}, "PA007"),
    ],
)
def test_each_validation_failure_has_its_catalogue_code_and_writes_only_the_log(ads_conn, overrides, code):
    before = counts(ads_conn)
    with pytest.raises(CampaignError) as raised:
        create_campaign(ads_conn, sample_campaign_request(f"Rechazada {code}", **overrides))
    assert raised.value.code == code
    assert written_since(ads_conn, before) == ONLY_THE_LOG
    log = last_log(ads_conn)
    assert log[0] == "error" and log[3] == f"Rechazada {code}" and log[4] == code


def test_duplicate_name_is_refused_with_pa005(ads_conn):
    create_campaign(ads_conn, sample_campaign_request("Nombre Único"))
    with pytest.raises(CampaignError) as raised:
        create_campaign(ads_conn, sample_campaign_request("Nombre Único"))
    assert raised.value.code == "PA005"


def test_empty_arrays_and_a_100_ad_call_both_work(ads_conn):
    empty_id = create_campaign(ads_conn, sample_campaign_request("Borrador vacío", channels=[], markets=[], ads=[]))
    assert ads_conn.execute("SELECT count(*) FROM ads.ads WHERE campaign_id = %s", (empty_id,)).fetchone()[0] == 0
    big_id = create_campaign(ads_conn, sample_campaign_request("Mega Campaign 100 ads", n_ads=100))
    assert ads_conn.execute("SELECT count(*) FROM ads.ads WHERE campaign_id = %s", (big_id,)).fetchone()[0] == 100


def test_inside_a_caller_transaction_the_procedure_does_not_commit(settings, ads_small_db):
    with connect("ads", "app", settings=settings, dbname=ads_small_db) as conn:  # not autocommit: caller's transaction
        create_campaign(conn, sample_campaign_request("Dentro de transacción"))
        assert (
            conn.execute("SELECT count(*) FROM ads.campaigns WHERE name = 'Dentro de transacción'").fetchone()[0] == 1
        )
        conn.rollback()
        assert (
            conn.execute("SELECT count(*) FROM ads.campaigns WHERE name = 'Dentro de transacción'").fetchone()[0] == 0
        )


def test_concurrent_calls_with_overlapping_channels_do_not_deadlock(settings, ads_small_db):
    errors: list[BaseException] = []
    created: list[int] = []
    lock = threading.Lock()

    def worker(worker_id: int) -> None:
        try:
            with connect("ads", "app", settings=settings, dbname=ads_small_db, autocommit=True) as conn:
                for i in range(5):
                    campaign_id = create_campaign(
                        conn, sample_campaign_request(f"Concurrente {worker_id}-{i}", n_ads=10)
                    )
                    with lock:
                        created.append(campaign_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(set(created)) == 40
    with connect("ads", "app", settings=settings, dbname=ads_small_db) as conn:
        assert conn.execute("SELECT count(*) FROM ads.ads WHERE campaign_id = ANY(%s)", (created,)).fetchone()[0] == 400


def test_plain_sql_call_gets_the_sqlstate(ads_conn):
    with pytest.raises(psycopg.Error) as raised:
        ads_conn.execute("""CALL ads.adssp_create_campaign(1, NULL, NULL, 'SQL directo', 'sales', 10, '2026-02-01', '2026-02-10',
                            ARRAY[ROW(4242, 1)::ads.channel_tvp], NULL, NULL, NULL)""")
    assert raised.value.sqlstate == "PA002"
