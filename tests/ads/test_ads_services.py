"""The PromptAds services behind the MCP tools, called directly on a small seeded copy (SPEC A2, A6):
campaign creation with retry safety, a campaign's results, the negative-sentiment report, the catalogues."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from promptsales.ads.reports import (
    campaign_results,
    list_brands,
    list_channels,
    list_markets,
    negative_sentiment_report,
)
from promptsales.ads.service import create_or_replay_campaign
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError
from promptsales.testing import sample_campaign_request


@pytest.fixture
def conn(settings: Settings, ads_small_db: str):
    """An app-role connection (not autocommit, like a pooled one) to the small private copy."""
    with connect("ads", "app", settings=settings, dbname=ads_small_db) as connection:
        yield connection


def test_create_or_replay_campaign_creates_once_and_restores_the_connection(conn) -> None:
    name = f"Servicio {uuid.uuid4().hex[:8]}"
    created = create_or_replay_campaign(
        conn, sample_campaign_request(name, n_channels=2, n_markets=3, n_ads=4), replay=True
    )
    assert created.created and (created.channels, created.markets, created.ads) == (2, 3, 4)
    assert conn.autocommit is False
    again = create_or_replay_campaign(conn, sample_campaign_request(name, n_channels=5), replay=True)
    assert not again.created and again.campaign_id == created.campaign_id
    assert (again.channels, again.markets, again.ads) == (2, 3, 4)  # what exists, not what was asked again
    with pytest.raises(UserError, match="is taken by another brand"):
        create_or_replay_campaign(conn, sample_campaign_request(name, brand_id=2), replay=True)
    with pytest.raises(UserError, match="^PA005"):  # without replay the procedure refuses the duplicate name
        create_or_replay_campaign(conn, sample_campaign_request(name), replay=False)
    assert conn.autocommit is False


def test_campaign_results_totals_match_the_breakdowns(conn) -> None:
    campaign_id = conn.execute("SELECT min(campaign_id) FROM ads.ad_results").fetchone()[0]
    results = campaign_results(conn, campaign_id)
    assert results.campaign_id == campaign_id and results.by_channel and results.by_market
    assert sum(row.views for row in results.by_channel) == sum(row.views for row in results.by_market)
    assert sum(row.views for row in results.by_channel) == results.totals.views
    assert sum(row.revenue for row in results.by_market) == pytest.approx(results.totals.revenue)
    with pytest.raises(UserError, match="No campaign has id 999999999"):
        campaign_results(conn, 999999999)


def test_negative_sentiment_report_checks_its_input(conn) -> None:
    brand_id, brand = conn.execute("SELECT brand_id, name FROM ads.brands ORDER BY brand_id LIMIT 1").fetchone()
    start, end = date(2025, 1, 1), date(2025, 6, 30)
    by_name = negative_sentiment_report(conn, brand.upper(), start, end, 0.25)
    by_id = negative_sentiment_report(conn, f" {brand_id} ", start, end, 0.25)
    assert (by_name.brand_id, by_name.brand) == (brand_id, brand) and by_id == by_name
    assert all(row.negative_share >= 0.25 for row in by_name.rows)
    with pytest.raises(UserError, match="is before start"):
        negative_sentiment_report(conn, brand, end, start, 0.25)
    with pytest.raises(UserError, match="at most 366 days"):
        negative_sentiment_report(conn, brand, date(2024, 1, 1), date(2025, 6, 30), 0.25)
    with pytest.raises(UserError, match="Unknown brand 'zz no such brand'. Closest: '"):
        negative_sentiment_report(conn, "zz no such brand", start, end, 0.25)


def test_catalogues(conn) -> None:
    channels = list_channels(conn).channels
    assert [c.channel_id for c in channels] == sorted(c.channel_id for c in channels) and channels
    assert list_markets(conn).markets
    brands = list_brands(conn).brands
    assert 0 < len(brands) <= 200
    part = brands[0].name[1:4]
    assert all(part.lower() in b.name.lower() for b in list_brands(conn, part).brands)
