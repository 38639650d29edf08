"""The names a person picks from while filling a prompt or a resource URI of the PromptSales server:
campaigns, brands, channels and markets of the warehouse (its catalog, kept in memory until the next ETL
pass), products of the portal, and metric ids. The kit ranks them against what was typed and caches the
answers (:mod:`promptsales.mcpkit.completion`)."""

from __future__ import annotations

from collections.abc import Mapping

from promptsales.db import pools
from promptsales.mcpkit.completion import fold
from promptsales.sales.nlq.dbcatalog import load_catalog
from promptsales.sales.nlq.metrics import DEFINITIONS
from promptsales.sales.nlq.model import Dimension


def _catalog_names(dimension: Dimension) -> list[str]:
    with pools.pool("sales", "analyst").connection() as conn:
        return [entity.name for entity in load_catalog(conn).entities(dimension)]


def campaign_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """Every campaign name of the warehouse."""
    return _catalog_names(Dimension.campaign)


def brand_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """Every brand (client company) with campaigns in the warehouse."""
    return _catalog_names(Dimension.brand)


def channel_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """Every channel campaigns ran on."""
    return _catalog_names(Dimension.channel)


def market_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """Every market (country / segment) campaigns ran in."""
    return _catalog_names(Dimension.market)


def product_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """The portal's product names — of the brand already chosen, when there is one."""
    with pools.pool("sales", "analyst").connection() as conn:
        rows = conn.execute(
            "SELECT p.name, c.name FROM portal.products p JOIN portal.client_companies c ON c.id = p.client_company_id"
        ).fetchall()
    brand = fold(context.get("brand", ""))
    return [product for product, company in rows if not brand or fold(company) == brand]


def metric_names(partial: str, context: Mapping[str, str]) -> list[str]:
    """Every metric id (``roi``, ``sales_amount`` …), as the metric resources and tools name them."""
    return [metric.value for metric in DEFINITIONS]
