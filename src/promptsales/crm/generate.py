"""PromptCRM data generator (SPEC R1–R3, R5, G7): clients, leads, interactions, funnel history and sales
drawn FROM the PromptAds results, so both databases agree by construction.

Contract with PromptAds (``ads.ad_results``: one row per ad × channel × market × day):

* every result row with ``leads = n`` yields exactly ``n`` CRM leads created that day, each for a
  different client of that campaign (a client appears at most once per campaign) — so the number of
  distinct CRM clients linked to a campaign × channel × market equals PromptAds ``SUM(leads)`` there;
* the first ``sales`` leads of the row convert: exactly ``sales`` CRM sales whose amounts (≥ 5.00 each,
  Gamma-distributed shares) add up to the row's ``revenue`` to the cent (the rounding residue goes to
  the last sale of the row);
* clients live around the main city of their market (distance bands 0–10, 10–50, 50–200, 200–500,
  500+ km); a client reached again by another campaign is drawn from the same market's earlier clients.

Everything is vectorised with numpy from one seed; each client's national ID and context data are encrypted with
an AES-256-GCM key of the client's own (``crm.subject_keys``, wrapped under a KEK that the key store certificate
wraps — erasing a client destroys its key, issue 23); rows are loaded with binary COPY.
"""

from __future__ import annotations

import io
import time
import unicodedata
from dataclasses import dataclass

import numpy as np
import psycopg

from promptsales.crm import propensity
from promptsales.crm import vocabulary as vocab
from promptsales.crm.crypto import blind_index, subject_keyring
from promptsales.crm.keystore import KeyStore
from promptsales.crm.link import ensure_link
from promptsales.crm.log import write_log
from promptsales.crm.subject_keys import copy_subject_keys, encrypt_for_subjects
from promptsales.db import bulk
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.errors import UserError
from promptsales.seeding import SeedContext

#: Minimum distinct clients per scale (SPEC R2 asks ≥ 500,000 at official scale).
MIN_CLIENTS = {"small": 0, "official": 500_000, "large": 500_000}
#: Share of leads that are a client's first contact when the floor above allows it (the rest are repeats).
DISTINCT_SHARE = 0.8
#: Odds of a buyer's lead being a first contact relative to another lead's, and the mean number of days since a
#: returning client was first seen (other leads, buyers): buyers come back sooner.
REPEAT_BUYER_FIRST_WEIGHT = 0.45
RETURN_DAYS = (60.0, 20.0)
US_PER_DAY = 86_400_000_000
#: Tables analysed right after the seed (what the consistency check and the analytics read); autovacuum
#: analyses the others.
ANALYZED_TABLES = ("clients", "leads", "sales")
DATA_TABLES = (
    "subject_keys",
    "lead_scores",
    "sales",
    "lead_stage_history",
    "interactions",
    "client_campaigns",
    "leads",
    "clients",
    "data_keys",
)
#: Identity columns whose sequences must continue after the loaded ids.
IDENTITIES = (
    ("crm.clients", "client_id"),
    ("crm.leads", "lead_id"),
    ("crm.interactions", "interaction_id"),
    ("crm.lead_stage_history", "history_id"),
    ("crm.sales", "sale_id"),
)

# funnel stage ids (see migration 0002)
STAGE_WON, STAGE_LOST = 6, 7
OPEN_FINAL_STAGES = np.array([1, 2, 3, 4, 5, 7])
OPEN_FINAL_P = np.array([0.14, 0.18, 0.14, 0.10, 0.06, 0.38])
#: A sale closes this many days after its lead arrived (1 + log-normal, median ≈ 4 days, capped): the sale is
#: credited to the ad result that brought the lead, as ad platforms attribute conversions to the click.
SALE_LAG_DAYS = (1.1, 30.0)
# interaction types: 1 ad_view, 2 click, 3 comment, 4 chatbot_message, 5 email_open, 6 call, 7 purchase
FOLLOW_TYPES = np.array([2, 3, 4, 5, 6])
FOLLOW_P = np.array([0.35, 0.2, 0.2, 0.15, 0.1])
AD_VIEW, COMMENT, PURCHASE = 1, 3, 7


@dataclass
class AdsResults:
    """Result rows of PromptAds that brought leads, as numpy columns."""

    ad_id: np.ndarray
    campaign_id: np.ndarray
    channel_id: np.ndarray
    market_id: np.ndarray
    day: np.ndarray  # days since 2000-01-01
    leads: np.ndarray
    sales: np.ndarray
    revenue_cents: np.ndarray


@dataclass
class MarketInfo:
    """Markets of PromptAds indexed by market_id."""

    country_code: dict[int, str]
    region: dict[int, str]
    city: dict[int, str]
    latitude: dict[int, float]
    longitude: dict[int, float]
    language: dict[int, str]


def is_seeded(ctx: SeedContext) -> bool:
    """True when PromptCRM already has clients."""
    with connect("crm", "app", settings=ctx.settings, dbname=ctx.database("crm")) as conn:
        return scalar(conn, "SELECT EXISTS (SELECT 1 FROM crm.clients)")


# ---- reading PromptAds ------------------------------------------------------------------------


def read_ads(ctx: SeedContext) -> tuple[AdsResults, MarketInfo]:
    """Read the result rows with leads and the markets (read-only ETL role of PromptAds, COPY)."""
    query = (
        "COPY (SELECT ad_id, campaign_id, channel_id, market_id, result_date - date '2000-01-01', leads, sales, "
        "(revenue * 100)::bigint FROM ads.ad_results WHERE leads > 0 "
        "ORDER BY campaign_id, channel_id, market_id, result_date, ad_id) TO STDOUT"
    )
    buffer = io.BytesIO()
    with connect("ads", "etl", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        with conn.cursor().copy(query) as copy:
            for block in copy:
                buffer.write(block)
        markets = conn.execute(
            "SELECT market_id, country_code, region, city, latitude, longitude, language FROM ads.markets"
        ).fetchall()
    if buffer.tell() == 0:
        raise UserError("PromptAds has no results with leads: seed PromptAds first (`promptsales seed -c ads`).")
    buffer.seek(0)
    data = np.loadtxt(buffer, dtype=np.int64, delimiter="\t", ndmin=2)
    results = AdsResults(*(data[:, i] for i in range(8)))
    info = MarketInfo(
        {m[0]: m[1] for m in markets},
        {m[0]: m[2] for m in markets},
        {m[0]: m[3] for m in markets},
        {m[0]: m[4] for m in markets},
        {m[0]: m[5] for m in markets},
        {m[0]: m[6] for m in markets},
    )
    return results, info


def read_campaign_audiences(ctx: SeedContext) -> propensity.CampaignAudiences:
    """Each PromptAds campaign's audience (age band, interests) and its brand's industry (read-only ETL role)."""
    with connect("ads", "etl", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        rows = conn.execute(
            "SELECT c.campaign_id, a.age_min, a.age_max, a.interests, b.industry FROM ads.campaigns c"
            " JOIN ads.brands b USING (brand_id) LEFT JOIN ads.audiences a USING (audience_id)"
        ).fetchall()
    return propensity.CampaignAudiences.from_rows(
        [(cid, low or 18, high or 70, interests or [], industry) for cid, low, high, interests, industry in rows]
    )


# ---- leads and their clients -------------------------------------------------------------------


@dataclass
class LeadPlan:
    """One entry per lead (aligned arrays) plus the clients they belong to."""

    row: np.ndarray  # index of the PromptAds result row
    rank_in_row: np.ndarray
    converted: np.ndarray
    client: np.ndarray  # client_id (1-based)
    n_clients: int
    client_market: np.ndarray  # home market per client (index client_id - 1)
    client_first_lead: np.ndarray  # index of the client's first lead


def plan_leads(results: AdsResults, rng: np.random.Generator, min_clients: int) -> LeadPlan:
    """Expand result rows into leads and give each lead a client, never twice in one campaign."""
    leads = results.leads
    total = int(leads.sum())
    row = np.repeat(np.arange(len(leads)), leads)
    starts = np.cumsum(leads) - leads
    rank = np.arange(total) - np.repeat(starts, leads)
    converted = rank < results.sales[row]
    market = results.market_id[row]
    campaign = results.campaign_id[row].astype(np.int64)
    day = results.day[row]

    n_first = min(total, max(min_clients, int(np.ceil(DISTINCT_SHARE * total))))
    first = np.zeros(total, dtype=bool)
    # buyers are more often returning clients: a converted lead is a first contact with lower odds (Gumbel top-k)
    keys = np.where(converted, np.log(REPEAT_BUYER_FIRST_WEIGHT), 0.0) + rng.gumbel(size=total)
    first[np.argsort(-keys, kind="stable")[:n_first]] = True

    # Leads grouped by market, in time order: a repeat lead picks a client first seen earlier in its market.
    order = np.lexsort((rng.random(total), day, market))
    m_sorted = market[order]
    boundaries = np.flatnonzero(np.r_[True, m_sorted[1:] != m_sorted[:-1]])
    group_of = np.repeat(np.arange(len(boundaries)), np.diff(np.r_[boundaries, total]))

    def firsts_before(f_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cum = np.cumsum(f_sorted) - f_sorted
        at_start = cum[boundaries]
        return cum - at_start[group_of], at_start

    f_sorted = first[order]
    before, _ = firsts_before(f_sorted)
    f_sorted |= before == 0  # nobody to repeat yet in this market: a new client
    before, at_start = firsts_before(f_sorted)
    position = np.cumsum(f_sorted) - 1  # rank among first leads, in (market, time) order
    repeat = ~f_sorted
    buyer_sorted = converted[order]

    # new clients per day in each market, so that "how long ago" a returning client was seen does not drift
    day_sorted = day[order]
    group_days = np.maximum.reduceat(day_sorted, boundaries) - np.minimum.reduceat(day_sorted, boundaries) + 1
    per_day = np.add.reduceat(f_sorted.astype(np.int64), boundaries) / group_days

    def earlier_client(u: np.ndarray, picks: np.ndarray) -> np.ndarray:
        # positions run in time order within the market; a returning client was first seen an exponential
        # number of days back (fewer for a buyer), counted in the market's new clients per day
        mean_days = np.where(buyer_sorted[picks], RETURN_DAYS[1], RETURN_DAYS[0])
        back = np.floor(-np.log1p(-u) * mean_days * per_day[group_of[picks]]).astype(np.int64)
        return at_start[group_of[picks]] + before[picks] - 1 - np.minimum(back, before[picks] - 1)

    repeat_at = np.flatnonzero(repeat)
    position[repeat_at] = earlier_client(rng.random(total)[repeat_at], repeat_at)

    camp_sorted = campaign[order]

    def collisions() -> np.ndarray:
        key = camp_sorted * (1 << 32) + position
        by_key = np.lexsort((repeat, key))  # a first lead sorts before the repeats of its client
        return by_key[np.r_[False, key[by_key][1:] == key[by_key][:-1]]]

    for _ in range(8):  # redraw the few repeats that hit a client already in the same campaign
        dup = collisions()
        if len(dup) == 0:
            break
        position[dup] = earlier_client(rng.random(len(dup)), dup)
    n_positions = int(f_sorted.sum())
    dup = collisions()
    if len(dup):  # still colliding (tiny markets): these leads become new clients
        position[dup] = n_positions + np.arange(len(dup))
        f_sorted[dup] = True
        n_positions += len(dup)

    # Client ids follow the time of their first lead.
    first_lead = np.empty(n_positions, dtype=np.int64)
    first_lead[position[f_sorted]] = order[f_sorted]
    by_time = np.lexsort((first_lead, day[first_lead]))
    client_id_of_position = np.empty(len(first_lead), dtype=np.int64)
    client_id_of_position[by_time] = np.arange(1, len(first_lead) + 1)
    client = np.empty(total, dtype=np.int64)
    client[order] = client_id_of_position[position]
    client_first_lead = np.empty(len(first_lead), dtype=np.int64)
    client_first_lead[client_id_of_position - 1] = first_lead
    return LeadPlan(row, rank, converted, client, len(first_lead), market[client_first_lead], client_first_lead)


# ---- clients -------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def destination(lat: np.ndarray, lon: np.ndarray, km: np.ndarray, bearing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point at ``km`` kilometres and ``bearing`` radians from (lat, lon) on a sphere (degrees in/out)."""
    radius = 6371.0
    phi1, lam1, delta = np.radians(lat), np.radians(lon), km / radius
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(bearing))
    lam2 = lam1 + np.arctan2(
        np.sin(bearing) * np.sin(delta) * np.cos(phi1), np.cos(delta) - np.sin(phi1) * np.sin(phi2)
    )
    return np.degrees(phi2), (np.degrees(lam2) + 540.0) % 360.0 - 180.0


def distance_km(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distances from the market's main city: urban (median 8 km), regional (60 km), remote (350 km)."""
    kind = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    median = np.array([8.0, 60.0, 350.0])[kind]
    sigma = np.array([0.8, 0.6, 0.6])[kind]
    return np.clip(median * np.exp(sigma * rng.standard_normal(n)), 0.2, 2500.0)


def national_ids(country: list[str], client_id: np.ndarray) -> list[str]:
    """Unique national IDs ``CC-D-DDDD-DDDD``: an affine permutation of the client id modulo 10⁹."""
    number = (client_id * 738_219_443 + 104_729) % 1_000_000_000
    return [
        f"{c}-{n // 100_000_000}-{n // 10_000 % 10_000:04d}-{n % 10_000:04d}" for c, n in zip(country, number.tolist())
    ]


@dataclass
class Clients:
    """Client columns ready for COPY (clear sensitive values are kept only until encrypted)."""

    columns: dict[str, tuple[str, object]]  # column → (COPY type, numpy array or list of bytes)
    national_id: list[str]
    context: list[bytes]


def build_clients(
    plan: LeadPlan,
    results: AdsResults,
    markets: MarketInfo,
    rng: np.random.Generator,
    audiences: propensity.CampaignAudiences | None = None,
) -> Clients:
    """Names, contact data, location around the market's main city, interests, consents, birth year (the last
    three drawn given whether the client's first lead bought, :func:`client_profiles`)."""
    n = plan.n_clients
    ids = np.arange(1, n + 1)
    home = plan.client_market
    lang = np.array([markets.language.get(int(m), "en") for m in range(int(home.max()) + 1)], dtype=object)
    lang = np.where(np.isin(lang, list(vocab.FIRST_NAMES)), lang, "en")[home]
    is_es = lang == "es"
    first_i = rng.integers(0, 40, n)
    last_i = rng.integers(0, 40, n)
    first_es, first_en = vocab.FIRST_NAMES["es"], vocab.FIRST_NAMES["en"]
    last_es, last_en = vocab.LAST_NAMES["es"], vocab.LAST_NAMES["en"]
    first_names = [first_es[i] if es else first_en[i] for i, es in zip(first_i.tolist(), is_es.tolist())]
    last_names = [last_es[i] if es else last_en[i] for i, es in zip(last_i.tolist(), is_es.tolist())]
    ascii_first = {name: _ascii(name) for name in first_es + first_en}
    ascii_last = {name: _ascii(name) for name in last_es + last_en}
    domains = rng.integers(0, len(vocab.EMAIL_DOMAINS), n).tolist()
    emails = [
        f"{ascii_first[f]}.{ascii_last[last]}{i}@{vocab.EMAIL_DOMAINS[d]}"
        for f, last, i, d in zip(first_names, last_names, ids.tolist(), domains)
    ]
    country = [markets.country_code[int(m)] for m in home.tolist()]
    phone_numbers = rng.integers(10_000_000, 99_999_999, n).tolist()
    phones = [f"+{vocab.DIAL_CODES.get(c, '1')} {p // 10_000} {p % 10_000:04d}" for c, p in zip(country, phone_numbers)]

    km = distance_km(rng, n)
    bearing = rng.random(n) * 2 * np.pi
    base_lat = np.array([markets.latitude.get(int(m), 0.0) for m in range(int(home.max()) + 1)])[home]
    base_lon = np.array([markets.longitude.get(int(m), 0.0) for m in range(int(home.max()) + 1)])[home]
    lat, lon = destination(base_lat, base_lon, km, bearing)
    lat = np.clip(lat, -89.9, 89.9)
    town = rng.integers(0, 20, n).tolist()
    cities = [
        markets.city[int(m)] if d < 30 else vocab.TOWNS["es" if es else "en"][t]
        for m, d, es, t in zip(home.tolist(), km.tolist(), is_es.tolist(), town)
    ]
    regions = [markets.region[int(m)] for m in home.tolist()]
    mask, consent, birth = client_profiles(plan, results, rng, audiences)
    # each client's set of interests as a bit mask; the ≤ 4,047 distinct sets are built once as lists
    sets = {
        m: bulk.text_array([name for j, name in enumerate(vocab.INTERESTS) if m >> j & 1])
        for m in np.unique(mask).tolist()
    }
    interests = [sets[m] for m in mask.tolist()]
    first_day = results.day[plan.row[plan.client_first_lead]]
    created_us = first_day * US_PER_DAY + rng.integers(0, 8 * 3600, n) * 1_000_000

    nid = national_ids(country, ids)
    occupation = rng.integers(0, len(vocab.OCCUPATIONS), n).tolist()
    income = rng.integers(0, len(vocab.INCOME_BANDS), n).tolist()
    household = rng.integers(1, 7, n).tolist()
    note = rng.integers(0, len(vocab.CONTEXT_NOTES), n).tolist()
    context = [
        (
            f'{{"occupation": "{vocab.OCCUPATIONS[o]}", "income_band": "{vocab.INCOME_BANDS[i]}", '
            f'"household_size": {h}, "note": "{vocab.CONTEXT_NOTES[t]}"}}'
        ).encode()
        for o, i, h, t in zip(occupation, income, household, note)
    ]
    columns: dict[str, tuple[str, object]] = {
        "client_id": ("int4", ids),
        "first_name": ("bytes", [v.encode() for v in first_names]),
        "last_name": ("bytes", [v.encode() for v in last_names]),
        "email": ("bytes", [v.encode() for v in emails]),
        "phone": ("bytes", [v.encode() for v in phones]),
        "birth_year": ("int2", birth),
        "home_market_id": ("int2", home),
        "country_code": ("bytes", [v.encode() for v in country]),
        "region": ("bytes", [v.encode() for v in regions]),
        "city": ("bytes", [v.encode() for v in cities]),
        "latitude": ("float8", lat),
        "longitude": ("float8", lon),
        "interests": ("bytes", interests),
        **{
            f"consent_{name}": ("bool", consent[:, j])
            for j, name in enumerate(("email", "sms", "whatsapp", "phone", "social"))
        },
        "created_at": ("timestamptz", created_us),
    }
    return Clients(columns, nid, context)


def client_profiles(
    plan: LeadPlan, results: AdsResults, rng: np.random.Generator, audiences: propensity.CampaignAudiences | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(interest bit masks, consents (n × 5), birth years) of every client: candidates drawn from the population
    (1–4 interests, consent rates 70/45/50/30/60 %, birth years 1950–2007) and, given the campaign of the client's
    first lead and whether it bought, one kept by :func:`promptsales.crm.propensity.resample` (without
    ``audiences``: the first candidate)."""
    n, k = plan.n_clients, propensity.CANDIDATES
    masks = np.empty((n, k), dtype=np.int64)
    consents = np.empty((n, k, 5), dtype=bool)
    births = np.empty((n, k), dtype=np.int64)
    for c in range(k):
        count = rng.integers(1, 5, n)
        pool = rng.permuted(np.tile(np.arange(len(vocab.INTERESTS)), (n, 1)), axis=1)[:, :4]
        masks[:, c] = np.bitwise_or.reduce(np.where(np.arange(4) < count[:, None], 1 << pool, 0), axis=1)
        consents[:, c] = rng.random((n, 5)) < np.array([0.7, 0.45, 0.5, 0.3, 0.6])
        births[:, c] = 1950 + np.floor(rng.beta(2.0, 2.3, n) * 58).astype(np.int64)
    if audiences is None:
        keep = np.zeros(n, dtype=np.int64)
    else:
        first = plan.client_first_lead
        campaign = results.campaign_id[plan.row[first]]
        year = 2000 + results.day[plan.row[first]] // 365.25
        logits = propensity.client_logit(
            audiences, campaign[:, None], year[:, None] - births, masks, consents.astype(float)
        )
        keep = propensity.resample(rng, logits, plan.converted[first])
    rows = np.arange(n)
    return masks[rows, keep], consents[rows, keep], births[rows, keep]


# ---- leads, history, interactions, sales ------------------------------------------------------------


@dataclass
class Leads:
    """Per-lead draws, aligned with :attr:`LeadPlan.client` (times in µs since 2000-01-01 UTC)."""

    created_us: np.ndarray
    sold_us: np.ndarray  # when a converted lead bought (later the same day)
    final_stage: np.ndarray
    score: np.ndarray
    source: np.ndarray


def draw_leads(plan: LeadPlan, results: AdsResults, rng: np.random.Generator) -> Leads:
    """Source and hour of arrival (drawn given whether the lead buys, :mod:`promptsales.crm.propensity`),
    creation time within the result's day, the sale 1–30 days later (never after the last day with results),
    final funnel stage. The score is the CRM's rule-based points, set by :func:`rule_scores` once the
    interactions are drawn."""
    n_leads = len(plan.client)
    rows = np.arange(n_leads)
    ids = np.array(list(propensity.SOURCE_P))
    sources = rng.choice(ids, (n_leads, propensity.CANDIDATES), p=np.array(list(propensity.SOURCE_P.values())))
    hours = rng.choice(24, (n_leads, propensity.CANDIDATES), p=propensity.HOUR_P / propensity.HOUR_P.sum())
    keep = propensity.resample(rng, propensity.lead_logit(sources, hours), plan.converted)
    source, hour = sources[rows, keep], hours[rows, keep]
    day_us = results.day[plan.row] * US_PER_DAY
    created_us = day_us + (hour * 3600 + rng.integers(0, 3600, n_leads)) * 1_000_000
    lag_days = np.minimum(SALE_LAG_DAYS[0] + rng.lognormal(np.log(3.0), 0.8, n_leads), SALE_LAG_DAYS[1])
    last_us = (int(results.day.max()) + 1) * US_PER_DAY - 1_000_000  # the end of the last day with results
    sold_us = np.maximum(
        np.minimum(created_us + (lag_days * US_PER_DAY).astype(np.int64), last_us), created_us + 60_000_000
    )
    final_stage = np.where(plan.converted, STAGE_WON, rng.choice(OPEN_FINAL_STAGES, n_leads, p=OPEN_FINAL_P))
    return Leads(created_us, sold_us, final_stage, np.zeros(n_leads, dtype=np.int64), source)


def rule_scores(plan: LeadPlan, leads: Leads, interactions: Interactions, consent: np.ndarray) -> np.ndarray:
    """The CRM's rule-based lead score (0–100) as a marketer would set it up, from what is known a day after
    the lead arrived: points for the source, for consent to e-mail and WhatsApp, for follow-ups in the first
    24 h and for a long first ad view. ``consent`` is (clients × e-mail, SMS, WhatsApp, phone, social)."""
    n_leads = len(plan.client)
    points = np.zeros(max(propensity.SOURCE_LOGIT) + 1)
    points[[1, 2, 3, 4, 5, 6, 7]] = [10, 20, 25, 25, 15, 35, 25]
    early = (interactions.occurred_us <= leads.created_us[interactions.lead] + US_PER_DAY) & (
        interactions.type_id != PURCHASE
    )
    follow_ups = np.bincount(interactions.lead[early & (interactions.type_id != AD_VIEW)], minlength=n_leads)
    first_view = np.zeros(n_leads)
    is_view = interactions.type_id == AD_VIEW
    first_view[interactions.lead[is_view]] = interactions.seconds[is_view]
    client = plan.client - 1
    score = (
        points[leads.source]
        + 15 * consent[client, 0]
        + 10 * consent[client, 2]
        + np.minimum(8 * follow_ups, 30)
        + np.where(first_view > 20, 10, 0)
    )
    return np.clip(score, 0, 100).astype(np.int64)


@dataclass
class FunnelHistory:
    """Stage changes of every lead, in lead order, and when each lead reached its current stage."""

    lead: np.ndarray  # lead index
    has_from: np.ndarray  # False for a lead's first change (its from-stage is NULL)
    from_stage: np.ndarray
    to_stage: np.ndarray
    changed_us: np.ndarray
    current_stage_us: np.ndarray  # per lead


def draw_funnel_history(plan: LeadPlan, leads: Leads, rng: np.random.Generator) -> FunnelHistory:
    """new → … → final stage (lost leaves after 1–4 open stages); converted leads move evenly until the sale,
    the others after exponential gaps. Intermediate changes are kept with p = 0.55 (leads may skip stages)."""
    n_leads = len(plan.client)
    final_stage, lead_created_us = leads.final_stage, leads.created_us
    lost_after = rng.integers(1, 5, n_leads)
    n_hist = np.where(final_stage == STAGE_LOST, lost_after + 1, final_stage)
    h_lead = np.repeat(np.arange(n_leads), n_hist)
    h_k = np.arange(len(h_lead)) - np.repeat(np.cumsum(n_hist) - n_hist, n_hist)
    h_final = final_stage[h_lead]
    to_stage = np.where((h_final == STAGE_LOST) & (h_k == lost_after[h_lead]), STAGE_LOST, h_k + 1)
    span = np.where(plan.converted, leads.sold_us - lead_created_us, 0)[h_lead]
    last_k = n_hist[h_lead] - 1
    gap = (rng.exponential(1.5, len(h_lead)) * US_PER_DAY).astype(np.int64)
    cum_gap = np.cumsum(gap) - np.repeat(
        np.cumsum(gap)[np.cumsum(n_hist) - n_hist] - gap[np.cumsum(n_hist) - n_hist], n_hist
    )
    cum_gap = np.where(h_k == 0, 0, cum_gap)
    h_time = np.where(
        plan.converted[h_lead],
        lead_created_us[h_lead] + span * h_k // np.maximum(last_k, 1),
        lead_created_us[h_lead] + cum_gap,
    )
    current_stage_us = h_time[np.cumsum(n_hist) - 1]
    keep = (h_k == 0) | (h_k == last_k) | (rng.random(len(h_lead)) < 0.55)
    h_lead, to_stage, h_time = h_lead[keep], to_stage[keep], h_time[keep]
    first_change = np.r_[True, h_lead[1:] != h_lead[:-1]]
    from_stage = np.where(first_change, 0, np.r_[0, to_stage[:-1]])
    return FunnelHistory(h_lead, ~first_change, from_stage, to_stage, h_time, current_stage_us)


@dataclass
class Interactions:
    """Interactions of every lead, in lead order (times in µs since 2000-01-01 UTC)."""

    lead: np.ndarray  # lead index
    type_id: np.ndarray
    occurred_us: np.ndarray
    seconds: np.ndarray  # viewing / chat / call seconds (0 for the other types)
    comments: dict[int, str]  # interaction index → text, for the comments


def draw_interactions(
    plan: LeadPlan, results: AdsResults, markets: MarketInfo, leads: Leads, rng: np.random.Generator
) -> Interactions:
    """An ad view first (shortly before the lead), Poisson follow-ups, then the purchase for converted leads.

    Engagement is drawn given the outcome: a buyer watched the ad longer (log-seconds +0.45), follows up more
    often (Poisson 1.5 instead of 0.7) and sooner (mean 0.6 instead of 1.2 days after the lead)."""
    n_leads = len(plan.client)
    lead_created_us = leads.created_us
    buyer = plan.converted
    n_follow = rng.poisson(np.where(buyer, 1.5, 0.7))
    n_inter = 1 + n_follow + plan.converted
    i_lead = np.repeat(np.arange(n_leads), n_inter)
    i_k = np.arange(len(i_lead)) - np.repeat(np.cumsum(n_inter) - n_inter, n_inter)
    i_type = rng.choice(FOLLOW_TYPES, len(i_lead), p=FOLLOW_P)
    i_type[i_k == 0] = AD_VIEW
    is_purchase = plan.converted[i_lead] & (i_k == n_inter[i_lead] - 1)
    i_type[is_purchase] = PURCHASE
    i_time = np.where(
        i_k == 0,
        lead_created_us[i_lead] - rng.integers(60, 3 * 3600, len(i_lead)) * 1_000_000,
        lead_created_us[i_lead] + (rng.exponential(np.where(buyer[i_lead], 0.6, 1.2)) * US_PER_DAY).astype(np.int64),
    )
    i_time = np.where(is_purchase, leads.sold_us[i_lead], i_time)
    seconds = np.select(
        [i_type == AD_VIEW, i_type == 4, i_type == 6],
        [
            np.clip(np.exp(rng.normal(np.where(buyer[i_lead], 2.85, 2.4), 0.9)), 1, 600),
            rng.integers(30, 600, len(i_lead)),
            rng.integers(60, 1800, len(i_lead)),
        ],
        0,
    ).astype(int)
    lang_es = np.array([markets.language.get(int(m)) == "es" for m in results.market_id.tolist()])[plan.row]
    comment_pick = rng.integers(0, 12, len(i_lead))
    commented = i_type == COMMENT
    comments = {
        i: (vocab.COMMENTS["es"][c] if es else vocab.COMMENTS["en"][c])
        for i, c, es in zip(
            np.flatnonzero(commented).tolist(), comment_pick[commented].tolist(), lang_es[i_lead[commented]].tolist()
        )
    }
    return Interactions(i_lead, i_type, i_time, seconds, comments)


def allocate_amounts(results: AdsResults, plan: LeadPlan, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(lead index, amount in cents) of every sale; per result row the cents add up to its revenue."""
    sale_lead = np.flatnonzero(plan.converted)
    row = plan.row[sale_lead]
    sales = results.sales[row]
    revenue = results.revenue_cents[row]
    floor_cents = np.minimum(500, revenue // np.maximum(sales, 1))
    extra = revenue - floor_cents * sales
    weight = rng.gamma(2.0, 1.0, len(sale_lead))
    weight_sum = np.bincount(row, weights=weight, minlength=len(results.leads))[row]
    alloc = np.floor(extra * weight / weight_sum).astype(np.int64)
    cents = floor_cents + alloc
    residue = results.revenue_cents - np.bincount(row, weights=cents, minlength=len(results.leads)).astype(np.int64)
    last = plan.rank_in_row[sale_lead] == sales - 1
    cents[last] += residue[row[last]]
    return sale_lead, cents


def seed(ctx: SeedContext) -> dict[str, int]:
    """Generate and load PromptCRM from PromptAds, then build the analytics views; returns rows per table."""
    from promptsales.crm.analytics import refresh_views

    counts = load(ctx)
    refresh_views(ctx.settings, ctx.database("crm"), create=True)
    return counts


def load(ctx: SeedContext) -> dict[str, int]:
    """Generate, encrypt and COPY every PromptCRM table (replacing what was there); returns rows per table.

    The steps: read PromptAds; plan the leads and their clients; draw the clients, the leads, their funnel
    history and interactions, and the sale amounts (one random stream, in this order); then in one transaction
    empty the tables, encrypt the clients' sensitive fields, COPY every table with its foreign keys and
    secondary indexes suspended, move the identity sequences and log the run; then ANALYZE.
    """
    started = time.perf_counter()
    settings = ctx.settings
    crm_db, ads_db = ctx.database("crm"), ctx.database("ads")
    progress = ctx.progress
    task = progress.add_task("crm: generate", total=10) if progress else None

    def step(description: str) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=f"crm: {description}")

    ensure_link(settings, crm_db, ads_db, refresh=True)
    results, markets = read_ads(ctx)
    audiences = read_campaign_audiences(ctx)
    step("plan leads")
    rng = np.random.default_rng([ctx.seed, 4])
    plan = plan_leads(results, rng, MIN_CLIENTS[ctx.scale])
    step("build clients")
    clients = build_clients(plan, results, markets, rng, audiences)
    leads = draw_leads(plan, results, rng)
    history = draw_funnel_history(plan, leads, rng)
    interactions = draw_interactions(plan, results, markets, leads, rng)
    consent = np.column_stack(
        [np.asarray(clients.columns[f"consent_{name}"][1]) for name in ("email", "sms", "whatsapp")]
    )
    leads.score = rule_scores(plan, leads, interactions, consent)
    step("allocate sales")
    sale_lead, cents = allocate_amounts(results, plan, rng)

    step("encrypt")
    keystore = KeyStore.for_server(settings, "crm", crm_db)
    keystore.ensure()
    tables = [f"crm.{t}" for t in DATA_TABLES]
    with connect("crm", "owner", settings=settings, dbname=crm_db) as conn:
        bulk.truncate(conn, tables)
        index = blind_index(conn, keystore, create=True)
        ring = subject_keyring(conn, keystore, create=True)
        data_key_id = ring.kek.data_key_id
        ids = range(1, plan.n_clients + 1)
        nid_enc, ctx_enc, wrapped = encrypt_for_subjects(
            ring, ids, [value.encode() for value in clients.national_id], list(clients.context)
        )
        bidx = [index.digest(v) for v in clients.national_id]
        clients.national_id.clear()
        clients.context.clear()

        with bulk.suspended_constraints(conn, tables):
            step("load clients")
            counts = {"clients": copy_clients(conn, clients, data_key_id, nid_enc, bidx, ctx_enc)}
            counts["subject_keys"] = copy_subject_keys(conn, ids, data_key_id, wrapped)
            del nid_enc, ctx_enc, bidx, clients, wrapped
            step("load leads")
            counts.update(copy_leads(conn, plan, results, leads, history))
            step("load funnel history")
            counts["lead_stage_history"] = copy_funnel_history(conn, history)
            step("load interactions")
            counts["interactions"] = copy_interactions(conn, plan, results, interactions)
            step("load sales")
            counts["sales"] = copy_sales(conn, plan, results, leads, sale_lead, cents)
            step("indexes and foreign keys")
        bulk.continue_identities(conn, IDENTITIES)
        log_seed_run(conn, ctx, counts, time.perf_counter() - started)
    step("analyze")
    with connect("crm", "owner", settings=settings, dbname=crm_db, autocommit=True) as conn:
        bulk.analyze(conn, [f"crm.{t}" for t in ANALYZED_TABLES])
    if progress is not None and task is not None:
        progress.update(task, completed=10, description="crm: done")
    return counts


# ---- loading -------------------------------------------------------------------------------------


def copy_clients(
    conn: psycopg.Connection,
    clients: Clients,
    data_key_id: int,
    national_id_enc: list[bytes],
    national_id_bidx: list[bytes],
    context_enc: list[bytes],
) -> int:
    """COPY the clients with their encrypted national ID and context data and the national ID's blind index."""
    columns = {
        **clients.columns,
        "national_id_enc": ("bytes", national_id_enc),
        "national_id_bidx": ("bytes", national_id_bidx),
        "context_enc": ("bytes", context_enc),
        "data_key_id": ("int4", np.full(len(national_id_enc), data_key_id)),
    }
    return bulk.copy_columns(conn, "crm.clients", columns)


def copy_leads(
    conn: psycopg.Connection, plan: LeadPlan, results: AdsResults, leads: Leads, history: FunnelHistory
) -> dict[str, int]:
    """COPY the leads and the client × campaign associations (one per lead); rows per table."""
    row = plan.row
    campaign, channel, market = results.campaign_id[row], results.channel_id[row], results.market_id[row]
    loaded = {
        "leads": bulk.copy_columns(
            conn,
            "crm.leads",
            {
                "lead_id": ("int8", np.arange(1, len(row) + 1)),
                "client_id": ("int4", plan.client),
                "campaign_id": ("int4", campaign),
                "ad_id": ("int4", results.ad_id[row]),
                "channel_id": ("int2", channel),
                "market_id": ("int2", market),
                "source_id": ("int2", leads.source),
                "stage_id": ("int2", leads.final_stage),
                "score": ("int2", leads.score),
                "created_at": ("timestamptz", leads.created_us),
                "updated_at": ("timestamptz", history.current_stage_us),
            },
        )
    }
    loaded["client_campaigns"] = bulk.copy_columns(
        conn,
        "crm.client_campaigns",
        {
            "client_id": ("int4", plan.client),
            "campaign_id": ("int4", campaign),
            "channel_id": ("int2", channel),
            "market_id": ("int2", market),
            "reached_at": ("timestamptz", leads.created_us),
            "converted": ("bool", plan.converted),
        },
    )
    return loaded


def copy_funnel_history(conn: psycopg.Connection, history: FunnelHistory) -> int:
    """COPY the stage changes: first changes (no from-stage, NULL) and later ones, as two fixed-width COPYs."""
    history_id = np.arange(1, len(history.lead) + 1)
    count = 0
    for has_from in (False, True):
        pick = history.has_from == has_from
        columns: dict[str, bulk.Column] = {
            "history_id": ("int8", history_id[pick]),
            "lead_id": ("int8", history.lead[pick] + 1),
        }
        if has_from:
            columns["from_stage_id"] = ("int2", history.from_stage[pick])
        columns["to_stage_id"] = ("int2", history.to_stage[pick])
        columns["changed_at"] = ("timestamptz", history.changed_us[pick])
        columns["changed_by"] = ("char:9", np.full(int(pick.sum()), b"generator"))
        count += bulk.copy_columns(conn, "crm.lead_stage_history", columns)
    return count


def copy_interactions(conn: psycopg.Connection, plan: LeadPlan, results: AdsResults, interactions: Interactions) -> int:
    """COPY the interactions: those without comment (NULL) as fixed-width rows, then the comments."""
    interaction_id = np.arange(1, len(interactions.lead) + 1)
    channel = results.channel_id[plan.row]
    count = 0
    for commented in (False, True):
        pick = (interactions.type_id == COMMENT) == commented
        lead = interactions.lead[pick]
        columns: dict[str, bulk.Column] = {
            "interaction_id": ("int8", interaction_id[pick]),
            "client_id": ("int4", plan.client[lead]),
            "lead_id": ("int8", lead + 1),
            "type_id": ("int2", interactions.type_id[pick]),
            "channel_id": ("int2", channel[lead]),
            "occurred_at": ("timestamptz", interactions.occurred_us[pick]),
            "viewing_seconds": ("int4", interactions.seconds[pick]),
        }
        if commented:
            comments = [interactions.comments[i].encode() for i in np.flatnonzero(pick).tolist()]
            columns["comment_text"] = ("bytes", comments)
        count += bulk.copy_columns(conn, "crm.interactions", columns)
    return count


def copy_sales(
    conn: psycopg.Connection,
    plan: LeadPlan,
    results: AdsResults,
    leads: Leads,
    sale_lead: np.ndarray,
    cents: np.ndarray,
) -> int:
    """COPY the sales (amounts in cents, USD), credited to their lead's campaign × ad × channel × market."""
    row = plan.row[sale_lead]
    return bulk.copy_columns(
        conn,
        "crm.sales",
        {
            "sale_id": ("int8", np.arange(1, len(sale_lead) + 1)),
            "lead_id": ("int8", sale_lead + 1),
            "client_id": ("int4", plan.client[sale_lead]),
            "campaign_id": ("int4", results.campaign_id[row]),
            "ad_id": ("int4", results.ad_id[row]),
            "channel_id": ("int2", results.channel_id[row]),
            "market_id": ("int2", results.market_id[row]),
            "amount": ("numeric", cents),
            "currency": ("char:3", np.full(len(sale_lead), b"USD")),
            "sold_at": ("timestamptz", leads.sold_us[sale_lead]),
        },
    )


def log_seed_run(conn: psycopg.Connection, ctx: SeedContext, counts: dict[str, int], seconds: float) -> None:
    """Record the run in the CRM log: scale, seed, clients, leads, rows and duration."""
    write_log(
        conn,
        "etl",
        "generator",
        f"CRM seed ({ctx.scale}, seed {ctx.seed})",
        counts["clients"],
        counts["leads"],
        f"{sum(counts.values())} rows",
        f"{seconds:.1f} s",
    )
