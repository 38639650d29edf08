"""wh.campaign_days (D163, D171): the additive figures per campaign × channel × market × day sum to
wh.campaign_months for every column, and equal the figures computed straight from the daily source rows at that
grain."""

from __future__ import annotations

from etl_probe import row_set, settle
from psycopg import sql

from promptsales.etl.sources import Sources
from promptsales.warehouse.measures import DAY_TABLE, stored_in

COLUMNS = [measure.name for measure in stored_in(DAY_TABLE)]
#: The daily figures of the sources (ads.ad_results, crm.leads, crm.sales), in the order of DIRECT_COLUMNS.
ADS_DAYS = (
    "SELECT campaign_id, channel_id, market_id, result_date, sum(audience_reached)::bigint, sum(views)::bigint, "
    "sum(likes)::bigint, sum(interactions)::bigint, sum(clicks)::bigint, sum(hours_of_exposure), sum(revenue), "
    "sum(cost) FROM ads.ad_results WHERE campaign_id = ANY(%s) GROUP BY 1, 2, 3, 4"
)
LEADS_DAYS = (
    "SELECT campaign_id, channel_id, market_id, (created_at AT TIME ZONE 'UTC')::date, count(*) FROM crm.leads "
    "WHERE campaign_id = ANY(%s) GROUP BY 1, 2, 3, 4"
)
SALES_DAYS = (
    "SELECT campaign_id, channel_id, market_id, (sold_at AT TIME ZONE 'UTC')::date, count(*), sum(amount) "
    "FROM crm.sales WHERE campaign_id = ANY(%s) GROUP BY 1, 2, 3, 4"
)
ADS_COLUMNS = ("reach", "impressions", "reactions", "interactions", "clicks", "exposure_hours", "revenue", "spend")


def test_days_sum_to_months_for_every_additive_column(loaded: Sources) -> None:
    """Per campaign × month, the sum of its days equals its wh.campaign_months row, column by column."""
    settle(loaded)
    assert set(COLUMNS) == {*ADS_COLUMNS, "leads", "sales_count", "sales_amount"}
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    sums = sql.SQL(", ").join(sql.SQL("sum({c})").format(c=sql.Identifier(c)) for c in COLUMNS)
    with loaded.warehouse() as wh:
        months = row_set(wh, sql.SQL("SELECT campaign_id, month, {} FROM wh.campaign_months").format(columns))
        from_days = row_set(
            wh,
            sql.SQL(
                "SELECT campaign_id, date_trunc('month', day)::date, {} FROM wh.campaign_days GROUP BY 1, 2"
            ).format(sums),
        )
    assert len(months) > 1000
    assert from_days == months


def test_days_equal_the_daily_source_rows(loaded: Sources) -> None:
    """For a sample of campaigns, every channel × market × day's figures equal a direct computation from the
    sources."""
    settle(loaded)
    with loaded.warehouse() as wh:
        campaigns = [
            row[0]
            for row in wh.execute(
                "SELECT campaign_id FROM wh.campaigns WHERE spend > 0 AND leads > 0 AND sales_count > 0 "
                "ORDER BY campaign_id LIMIT 8"
            )
        ]
        stored = {
            tuple(row[:4]): dict(zip(COLUMNS, row[4:], strict=True))
            for row in wh.execute(
                sql.SQL(
                    "SELECT campaign_id, channel_id, market_id, day, {} FROM wh.campaign_days WHERE campaign_id = ANY(%s)"
                ).format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS))),
                (campaigns,),
            )
        }
    assert len(campaigns) == 8
    direct: dict[tuple, dict[str, object]] = {}

    def day(key: tuple) -> dict[str, object]:
        return direct.setdefault(key, dict.fromkeys(COLUMNS, 0))

    with loaded.source("ads") as ads, loaded.source("crm") as crm:
        for campaign, channel, market, when, *values in ads.execute(ADS_DAYS, (campaigns,)):
            day((campaign, channel, market, when)).update(zip(ADS_COLUMNS, values, strict=True))
        for campaign, channel, market, when, leads in crm.execute(LEADS_DAYS, (campaigns,)):
            day((campaign, channel, market, when))["leads"] = leads
        for campaign, channel, market, when, count, amount in crm.execute(SALES_DAYS, (campaigns,)):
            day((campaign, channel, market, when)).update(sales_count=count, sales_amount=amount)
    assert stored == direct
