"""Helpers shared by tests and benchmarks: start the issuer and an MCP server over HTTPS, open client sessions
over stdio or HTTPS (real transports, real tokens), a scratch company database, and the sample inputs both send
(a portal proposal, a PromptAds campaign)."""

from __future__ import annotations

import os
import ssl
import sys
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date

import httpx2
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from promptsales.ads.service import AdInput, CampaignRequest, ChannelInput, MarketInput
from promptsales.auth.config import issuer_url
from promptsales.auth.issuer import request_token
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.copies import copy_database, create_empty_database, drop_database, scratch_name
from promptsales.db.fetch import one, scalar
from promptsales.db.migrate import migrate_company
from promptsales.etl.sources import Sources
from promptsales.runtime.https_service import HttpsProcessService
from promptsales.runtime.tls import client_ssl_context, ensure_tls
from promptsales.wiring import issuer_service, mcp_service


def start_https_server(settings: Settings, name: str) -> tuple[HttpsProcessService, HttpsProcessService]:
    """Start (if needed) the local issuer and the HTTPS MCP server ``name``; returns both services."""
    issuer = issuer_service(settings)
    issuer.start()
    server = mcp_service(settings, name)
    server.start()
    return issuer, server


def token_for(settings: Settings, client_id: str, scopes: list[str] | None = None) -> str:
    """A real access token from the running local issuer (client-credentials grant)."""
    return request_token(settings, client_id, scopes or [], issuer_url(settings))["access_token"]


def ca_context(settings: Settings) -> ssl.SSLContext:
    """A client SSL context trusting the local CA."""
    return ssl.create_default_context(cafile=str(ensure_tls(settings).ca_cert))


@asynccontextmanager
async def https_session(settings: Settings, url: str, token: str):
    """An initialised MCP client session over streamable HTTP + TLS 1.3 with a bearer token, to the server whose
    base URL is ``url`` (its endpoint is ``url/mcp``)."""
    async with httpx2.AsyncClient(
        verify=client_ssl_context(settings), headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        async with streamable_http_client(url.rstrip("/") + "/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def stdio_session(settings: Settings, name: str, extra_env: dict[str, str] | None = None):
    """Spawn ``promptsales mcp serve NAME --transport stdio`` and open an initialised session."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PROMPTSALES_") or k in ("PATH", "HOME", "PYTHONPATH")}
    env["PROMPTSALES_DATA_DIR"] = str(settings.data_path)
    env.update(extra_env or {})
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "promptsales.cli", "mcp", "serve", name, "--transport", "stdio"], env=env
    )
    (settings.data_path / "logs").mkdir(parents=True, exist_ok=True)
    with open(settings.data_path / "logs" / f"stdio-{name}.log", "a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


@dataclass(frozen=True)
class ProposalParties:
    """Who proposes and who approves a campaign in the seeded portal, and for which brand and product."""

    approver: str
    marketer: str
    brand_id: int
    product_id: int

    def strategy(self, name: str) -> dict:
        """A ``proposeCampaign`` strategy named ``name``: two audiences in Mexico and Colombia, the product,
        a budget of 25,000."""
        return {
            "client_company_id": self.brand_id,
            "name": name,
            "intent": "conversion",
            "key_message": "Eco-friendly gear for fans who follow every match, with free shipping in launch week.",
            "audiences": [
                {"audience": "young football fans", "age_min": 18, "age_max": 30, "interests": ["sports"]},
                {"audience": "parents who buy online", "age_min": 30, "age_max": 50, "interests": ["family"]},
            ],
            "countries": ["MX", "CO"],
            "product_ids": [self.product_id],
            "budget": 25000,
            "start_date": "2026-02-01",
            "end_date": "2026-03-15",
        }


def proposal_parties(settings: Settings) -> ProposalParties:
    """The first active approver, the first active marketer who is not also an approver, and the first product
    (with its brand) of the seeded portal."""
    with connect("sales", "admin", settings=settings) as conn:
        approver = scalar(
            conn,
            "SELECT u.email FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id "
            "WHERE r.role_code = 'approver' AND u.active ORDER BY u.id LIMIT 1",
        )
        marketer = scalar(
            conn,
            "SELECT u.email FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id "
            "WHERE r.role_code = 'marketer' AND u.active AND NOT portal.user_has_role(u.id, 'approver') "
            "ORDER BY u.id LIMIT 1",
        )
        brand_id, product_id = one(
            conn, "SELECT client_company_id, id FROM portal.products ORDER BY client_company_id, id LIMIT 1"
        )
    return ProposalParties(approver, marketer, brand_id, product_id)


@contextmanager
def scratch_company_database(settings: Settings, company: str, prefix: str) -> Iterator[str]:
    """The name of a new, migrated, empty database of ``company`` on the running cluster, dropped afterwards
    (tests and benchmarks that write never touch the company's own database)."""
    name = create_empty_database(settings, company, scratch_name(company, prefix))
    try:
        migrate_company(settings, company, dbname=name)
        yield name
    finally:
        drop_database(settings, company, name)


@contextmanager
def private_sources(settings: Settings, prefix: str = "etl") -> Iterator[Sources]:
    """ETL sources pointing at private copies of the seeded ads, crm and sales databases (and a private MongoDB
    database), with an empty warehouse and no horizons; all of them dropped afterwards."""
    names = {
        company: copy_database(settings, company, scratch_name(company, prefix), close_idle_sessions=True)
        for company in ("ads", "crm", "sales")
    }
    mongo_db = f"{prefix}test_{uuid.uuid4().hex[:8]}"
    sources = Sources(settings, names, mongo_database=mongo_db)
    try:
        empty_warehouse(sources)  # other tests may have loaded the session warehouse
        yield sources
    finally:
        for company, name in names.items():
            drop_database(settings, company, name)
        database = Sources(settings, names, mongo_database=mongo_db).content_database()
        if database is not None:
            database.client.drop_database(mongo_db)


def empty_warehouse(sources: Sources) -> None:
    """Empty the warehouse of ``sources`` and forget its horizons: the next pass is a full load."""
    with sources.connect("sales", "owner") as conn:
        conn.execute(
            "TRUNCATE wh.campaign_facts, wh.campaigns, wh.campaign_channels, wh.campaign_markets, "
            "wh.campaign_months, wh.campaign_days, wh.campaign_content, wh.campaign_buyers, wh.campaign_ads, "
            "etl.horizons"
        )


def sample_campaign_request(
    name: str, n_channels: int = 5, n_markets: int = 5, n_ads: int = 10, **overrides
) -> CampaignRequest:
    """A PromptAds campaign for brand 1 (audience 1, 'leads', budget 25,000, February to mid-March 2026) with
    ``n_ads`` Spanish image ads spread over ``n_channels`` channels (equal shares of 0.2) and ``n_markets``
    markets; ``overrides`` replace any field."""
    channels = [ChannelInput(c, 0.2) for c in range(1, n_channels + 1)]
    ads = [
        AdInput(
            channel_id=(i % n_channels) + 1,
            format="image",
            headline=f"Headline {i}",
            copy=f"Copy number {i}",
            content_ref=f"content:media:{i:04d}",
            language="es",
        )
        for i in range(n_ads)
    ]
    fields: dict = dict(
        brand_id=1,
        product_id=None,
        audience_id=1,
        name=name,
        objective="leads",
        budget=25000,
        start_date=date(2026, 2, 1),
        end_date=date(2026, 3, 15),
        channels=channels,
        markets=[MarketInput(m) for m in range(1, n_markets + 1)],
        ads=ads,
    )
    fields.update(overrides)
    return CampaignRequest(**fields)
