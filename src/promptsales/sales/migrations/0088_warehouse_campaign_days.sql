-- 0088_warehouse_campaign_days: the additive figures per campaign × day (D163).
--
-- wh.campaign_months cannot tell the days of a month apart, so "leads in week 50 of 2025" or "spend from 15 to
-- 31 December 2025" was refused. The ETL now also aggregates the daily source rows (ads.ad_results.result_date,
-- crm.leads.created_at, crm.sales.sold_at) per campaign × day with the same registry aggregates as the facts, so
-- summing a campaign's days over a month gives its campaign_months row for every additive column. Only sums are
-- stored: ratios are computed from them when asked; distinct counts (clients, ads, channels used …), budgets and
-- goals are not additive over days and stay per month or per campaign. No channel or market: a breakdown by
-- either over days is refused (D163).
CREATE TABLE wh.campaign_days (
    campaign_id     integer NOT NULL,
    day             date NOT NULL,
    reach           bigint NOT NULL,
    impressions     bigint NOT NULL,
    reactions       bigint NOT NULL,
    interactions    bigint NOT NULL,
    clicks          bigint NOT NULL,
    exposure_hours  numeric(16,2) NOT NULL,
    leads           bigint NOT NULL,
    sales_count     bigint NOT NULL,
    sales_amount    numeric(16,2) NOT NULL,
    revenue         numeric(16,2) NOT NULL,
    spend           numeric(16,2) NOT NULL,
    updated_run     bigint NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
CREATE INDEX ON wh.campaign_days (day);
