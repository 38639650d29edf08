"""Erasure anonymises, it does not subtract (issue 23): on copies of the official seed, the warehouse recomputed by a
full ETL pass after a buyer is erased holds exactly what it held before (every measure of every table)."""

from __future__ import annotations

from promptsales.db.connect import admin_conninfo
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.privacy import service
from promptsales.testing import private_sources

WAREHOUSE = (
    "campaign_facts",
    "campaigns",
    "campaign_channels",
    "campaign_markets",
    "campaign_months",
    "campaign_buyers",
)


def _warehouse(sources: Sources) -> dict[str, tuple[int, str]]:
    """Rows and a digest of every table's content without the bookkeeping columns (run ids, load times)."""
    out = {}
    with sources.connect("sales", "owner") as conn:
        for table in WAREHOUSE:
            out[table] = conn.execute(
                "SELECT count(*), md5(coalesce(string_agg(j::text, '|' ORDER BY j::text), '')) FROM ("
                " SELECT (SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(t)) e(k, v)"
                "         WHERE k !~ '(updated|loaded|_run$|run_id|_at$)') AS j FROM wh." + table + " t) s"
            ).fetchone()
    return out


def test_warehouse_totals_are_unchanged_after_an_erasure_and_a_full_etl_pass(seeded):
    with private_sources(seeded, "priv") as sources:
        assert run_pass(sources, trigger="test", full=True).status == "succeeded"
        before = _warehouse(sources)
        with sources.connect("crm", "app") as conn:
            email, buyers = conn.execute(
                "SELECT c.email, count(*) FROM crm.clients c JOIN crm.sales s USING (client_id)"
                " GROUP BY c.client_id, c.email ORDER BY count(*) DESC, c.client_id LIMIT 1"
            ).fetchone()
        own = seeded.model_copy(
            update={
                "crm_database_url": admin_conninfo(seeded, "crm", sources.dbnames["crm"]),
                "sales_database_url": admin_conninfo(seeded, "sales", sources.dbnames["sales"]),
                "content_mongo_database": sources.mongo_database,
            }
        )
        answer = service.erase_subject(own, email=email)
        assert answer.outcome == "completed" and answer.client_ids and buyers >= 1
        assert run_pass(sources, trigger="test", full=True).status == "succeeded"
        after = _warehouse(sources)
        assert after == before
        assert before["campaign_buyers"][0] > 0
