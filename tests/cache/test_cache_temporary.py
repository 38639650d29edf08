"""Temporary results in Redis: named locks, ETL run summaries, proposal progress (docs/cache.md)."""

from __future__ import annotations

import pytest

from promptsales.cache import CacheSpec, Scope
from promptsales.cache.temporary import (
    LockBusy,
    etl_run_finished,
    named_lock,
    proposal_progress,
    recent_etl_runs,
    set_proposal_step,
)


def test_named_lock_excludes_a_second_holder(cache, unique):
    with named_lock(cache, f"etl-{unique}", ttl_ms=5000):
        with pytest.raises(LockBusy, match="held by another process"):
            with named_lock(cache, f"etl-{unique}", wait=0.1):
                pass
    with named_lock(cache, f"etl-{unique}"):  # released: free again
        pass


def test_etl_run_with_changed_campaigns_bumps_only_those(cache, unique):
    spec = CacheSpec("sales", f"perf_{unique}", kind="report")

    def read(campaign):
        return cache.fetch(
            spec, {"c": campaign}, lambda: campaign, depends=[Scope("sales", "campaign", campaign)]
        ).outcome

    assert [read(f"{unique}a"), read(f"{unique}b")] == ["miss", "miss"]
    bumped = etl_run_finished(cache, {"run_id": f"run-{unique}", "rows": 1}, changed={"campaign": [f"{unique}a"]})
    assert set(bumped) == {f"sales/campaign/{unique}a", "sales/campaign", "sales/_any"}
    assert [read(f"{unique}a"), read(f"{unique}b")] == ["miss", "hit"]
    assert recent_etl_runs(cache, 50)[0]["run_id"] == f"run-{unique}"


def test_proposal_progress_is_recorded_per_step(cache, unique):
    set_proposal_step(cache, unique, "ads.createCampaign", "done", {"campaign_id": 9})
    set_proposal_step(cache, unique, "content.createCampaignMessages", "failed", "timeout")
    progress = proposal_progress(cache, unique)
    assert progress["ads.createCampaign"]["detail"] == {"campaign_id": 9}
    assert progress["content.createCampaignMessages"]["status"] == "failed"
    assert 0 < cache.connection.client.ttl(f"ps:tmp:proposal:{unique}") <= 86400


def test_after_etl_pass_bumps_the_warehouse_only_when_rows_were_written(settings, cache):
    from promptsales.cache import get_cache
    from promptsales.cache.temporary import after_etl_pass

    counter = Scope("sales").counter_key
    get_cache(settings).generations("sales")
    before = int(cache.connection.client.get(counter))
    assert after_etl_pass(settings, {"status": "succeeded", "rows_written": {"wh.campaign_summary": 0}}) == {}
    assert after_etl_pass(settings, {"status": "failed", "rows_written": {"wh.campaign_summary": 5}}) == {}
    assert int(cache.connection.client.get(counter)) == before
    bumped = after_etl_pass(settings, {"status": "succeeded", "run_id": 77, "rows_written": {"wh.campaign_summary": 5}})
    assert bumped == {"sales": before + 1}
    assert recent_etl_runs(cache, 1)[0]["run_id"] == 77
