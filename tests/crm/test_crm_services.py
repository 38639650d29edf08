"""The PromptCRM services behind the MCP tools, called directly on the seeded database (SPEC R1, R5):
registering a lead (client encrypted, replay-safe), its timeline, lead capture, campaign sales and the
360° view. Writes run in a transaction that is rolled back, so the shared data stays as seeded."""

from __future__ import annotations

import uuid

import pytest

from promptsales.config import Settings
from promptsales.crm.campaigns import campaign_sales
from promptsales.crm.clients import Person, client_360
from promptsales.crm.crypto import ClientFieldCipher
from promptsales.crm.keystore import KeyStore
from promptsales.crm.leads import lead_timeline, prepare_lead_capture, register_lead
from promptsales.crm.service import reveal_client
from promptsales.db.connect import connect
from promptsales.errors import UserError


def _slot(conn) -> tuple[int, int, int, int]:
    """(campaign, channel, market, first ad on the channel) of a PromptAds campaign, through the linked server."""
    return conn.execute(
        "SELECT cc.campaign_id, cc.channel_id, cm.market_id, min(a.ad_id) FROM ads_link.campaign_channels cc"
        " JOIN ads_link.campaign_markets cm USING (campaign_id)"
        " JOIN ads_link.ads a ON a.campaign_id = cc.campaign_id AND a.channel_id = cc.channel_id"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT 1"
    ).fetchone()


def _person(**overrides) -> Person:
    tag = uuid.uuid4().hex[:8]
    fields = {
        "first_name": "Service",
        "last_name": f"Probe{tag}",
        "email": f"service.{tag}@example.com",
        "phone": "+50670000001",
        "birth_year": 1985,
        "country_code": "CR",
        "region": "Heredia",
        "city": "Heredia",
        "latitude": 10.0,
        "longitude": -84.1,
        "national_id": "cr 4.0001.0002",
        "context": {"note": f"probe {tag}"},
        **overrides,
    }
    return Person(**fields)


def test_register_lead_encrypts_the_new_client_and_a_replay_returns_the_same_lead(seeded: Settings) -> None:
    with connect("crm", "app", settings=seeded) as conn:
        campaign, channel, market, ad = _slot(conn)
        person = _person()
        args = dict(campaign_id=campaign, channel_id=channel, market_id=market, person=person, source="chatbot")
        first = register_lead(conn, seeded, **args, ad_id=None, score=70, actor="test-actor")
        assert first.created and first.client_created and first.campaign_id == campaign
        again = register_lead(conn, seeded, **args, ad_id=None, score=70, actor="test-actor")
        assert (again.lead_id, again.client_id, again.created, again.client_created) == (
            first.lead_id,
            first.client_id,
            False,
            False,
        )

        stored = conn.execute(
            "SELECT national_id_enc, context_enc, data_key_id, email FROM crm.clients WHERE client_id = %s",
            (first.client_id,),
        ).fetchone()
        assert b"0001" not in bytes(stored[0]) and stored[3] == person.email
        cipher = ClientFieldCipher.load(conn, KeyStore.for_server(seeded), stored[2])
        assert cipher.decrypt_national_id(first.client_id, stored[0]) == "CR-4-0001-0002"  # normalised
        assert cipher.decrypt_context(first.client_id, stored[1]) == person.context
        lead = conn.execute("SELECT ad_id, score FROM crm.leads WHERE lead_id = %s", (first.lead_id,)).fetchone()
        assert lead == (ad, 70)  # default ad: the campaign's first on the channel
        assert conn.execute(
            "SELECT value2 FROM crm.logs WHERE description = 'lead registered over MCP' AND reference_id1 = %s",
            (first.lead_id,),
        ).fetchone() == ("test-actor",)

        timeline = lead_timeline(conn, first.lead_id)
        assert (timeline.source, timeline.stage, timeline.score) == ("chatbot", "new", 70)
        assert [(s.from_stage, s.to_stage) for s in timeline.stages] == [(None, "new")]
        assert timeline.interactions == [] and timeline.sale_amount is None

        view = client_360(conn, seeded, first.client_id, include_pii=False)
        assert view.leads == 1 and view.campaigns == [campaign] and not view.sensitive_included
        assert view.national_id is None and view.context is None
        conn.rollback()


def test_register_lead_refuses_bad_input_and_writes_nothing(seeded: Settings) -> None:
    with connect("crm", "app", settings=seeded) as conn:
        campaign, channel, market, _ = _slot(conn)
        clients = conn.execute("SELECT count(*) FROM crm.clients").fetchone()[0]
        common = dict(campaign_id=campaign, channel_id=channel, source="landing_form", score=50, actor="test")
        with pytest.raises(UserError, match="Malformed national ID"):
            register_lead(conn, seeded, **common, market_id=market, person=_person(national_id="12-34"), ad_id=None)
        with pytest.raises(UserError, match="is not one of campaign"):
            register_lead(conn, seeded, **common, market_id=32000, person=_person(), ad_id=None)
        with pytest.raises(UserError, match="has no ad on channel"):
            register_lead(
                conn, seeded, **{**common, "channel_id": 32000}, market_id=market, person=_person(), ad_id=None
            )
        assert conn.execute("SELECT count(*) FROM crm.clients").fetchone()[0] == clients
        conn.rollback()


def test_prepare_lead_capture_is_idempotent_per_key(seeded: Settings) -> None:
    with connect("crm", "app", settings=seeded) as conn:
        campaign = _slot(conn)[0]
        key = uuid.uuid4().hex
        first = prepare_lead_capture(conn, campaign, ["referral", "chatbot", "chatbot"], [3, 1], [2], key)
        assert first.created and (first.sources, first.channels, first.markets) == (
            ["chatbot", "referral"],
            [1, 3],
            [2],
        )
        again = prepare_lead_capture(conn, campaign, ["organic"], [9], [9], key)
        assert not again.created and again.capture_id == first.capture_id and again.sources == first.sources
        with pytest.raises(UserError, match="does not exist in PromptAds"):
            prepare_lead_capture(conn, 999_999_999, ["organic"], [1], [1], uuid.uuid4().hex)
        conn.rollback()


def test_campaign_sales_adds_up_and_an_unknown_campaign_is_refused(seeded: Settings) -> None:
    with connect("crm", "etl", settings=seeded) as conn:
        campaign = conn.execute("SELECT campaign_id FROM crm.sales ORDER BY sale_id LIMIT 1").fetchone()[0]
        sales = campaign_sales(conn, campaign)
        assert sales.sales >= 1 and sales.leads >= sales.sales >= sales.clients >= 1
        assert sum(row.sales for row in sales.by_channel) == sum(row.sales for row in sales.by_market) == sales.sales
        assert sum(row.amount for row in sales.by_channel) == pytest.approx(sales.amount)
        with pytest.raises(UserError, match="no lead, client or sale for campaign 99999999"):
            campaign_sales(conn, 99999999)


def test_client_360_includes_the_decrypted_fields_only_when_asked(seeded: Settings) -> None:
    with connect("crm", "etl", settings=seeded) as conn:
        plain = client_360(conn, seeded, 7, include_pii=False)
        full = client_360(conn, seeded, 7, include_pii=True)
        with pytest.raises(UserError, match="No client has id 999999999"):
            client_360(conn, seeded, 999999999, include_pii=False)
    revealed = reveal_client(seeded, 7, log=False)
    assert full.sensitive_included and (full.national_id, full.context) == (
        revealed["national_id"],
        revealed["context"],
    )
    assert plain.model_dump(exclude={"sensitive_included", "national_id", "context"}) == full.model_dump(
        exclude={"sensitive_included", "national_id", "context"}
    )
    assert set(plain.consents) == {"email", "sms", "whatsapp", "phone", "social"}
