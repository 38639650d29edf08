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

Everything is vectorised with numpy from one seed; national IDs and context data are encrypted with one
AES-256-GCM data key per seed run (wrapped by the key store certificate); rows are loaded with binary COPY.
"""

from __future__ import annotations

import io
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import psycopg
from psycopg import sql

from promptsales.crm import vocabulary as vocab
from promptsales.crm.crypto import ClientFieldCipher, FieldCipher, blind_index, create_data_key
from promptsales.crm.keystore import KeyStore
from promptsales.crm.link import ensure_link
from promptsales.crm.pgcopy import copy_columns, copy_varlen, text_array
from promptsales.db.connect import connect
from promptsales.errors import UserError
from promptsales.seeding import SeedContext

#: Minimum distinct clients per scale (SPEC R2 asks ≥ 500,000 at official scale).
MIN_CLIENTS = {"small": 0, "official": 500_000, "large": 500_000}
#: Share of leads that are a client's first contact when the floor above allows it (the rest are repeats).
DISTINCT_SHARE = 0.8
EPOCH_2000 = np.datetime64("2000-01-01T00:00:00", "us")
US_PER_DAY = 86_400_000_000
#: Tables analysed right after the seed (what the consistency check and the analytics read); autovacuum
#: analyses the others.
ANALYZED_TABLES = ("clients", "leads", "sales")
DATA_TABLES = ("sales", "lead_stage_history", "interactions", "client_campaigns", "leads", "clients", "data_keys")

# funnel stage ids (see migration 0002)
STAGE_WON, STAGE_LOST = 6, 7
OPEN_FINAL_STAGES = np.array([1, 2, 3, 4, 5, 7])
OPEN_FINAL_P = np.array([0.14, 0.18, 0.14, 0.10, 0.06, 0.38])
SOURCE_IDS = np.array([1, 2, 3, 4, 5])
SOURCE_P = np.array([0.45, 0.25, 0.12, 0.10, 0.08])
# interaction types: 1 ad_view, 2 click, 3 comment, 4 chatbot_message, 5 email_open, 6 call, 7 purchase
FOLLOW_TYPES = np.array([2, 3, 4, 5, 6])
FOLLOW_P = np.array([0.35, 0.2, 0.2, 0.15, 0.1])


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
        return conn.execute("SELECT EXISTS (SELECT 1 FROM crm.clients)").fetchone()[0]


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
    first[rng.permutation(total)[:n_first]] = True

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
    u = rng.random(total)
    position[repeat] = at_start[group_of[repeat]] + np.floor(u[repeat] * before[repeat]).astype(np.int64)

    camp_sorted = campaign[order]

    def collisions() -> np.ndarray:
        key = camp_sorted * (1 << 32) + position
        by_key = np.lexsort((repeat, key))  # a first lead sorts before the repeats of its client
        return by_key[np.r_[False, key[by_key][1:] == key[by_key][:-1]]]

    for _ in range(8):  # redraw the few repeats that hit a client already in the same campaign
        dup = collisions()
        if len(dup) == 0:
            break
        position[dup] = at_start[group_of[dup]] + np.floor(rng.random(len(dup)) * before[dup]).astype(np.int64)
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


def build_clients(plan: LeadPlan, results: AdsResults, markets: MarketInfo, rng: np.random.Generator) -> Clients:
    """Names, contact data, location around the market's main city, interests, consents."""
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
    n_interests = rng.integers(1, 5, n)
    interest_pool = rng.permuted(np.tile(np.arange(len(vocab.INTERESTS)), (n, 1)), axis=1)[:, :4]
    # each client's set of interests as a bit mask; the ≤ 4,047 distinct sets are built once as lists
    chosen = np.arange(4) < n_interests[:, None]
    mask = np.bitwise_or.reduce(np.where(chosen, 1 << interest_pool, 0), axis=1)
    sets = {
        m: text_array([name for j, name in enumerate(vocab.INTERESTS) if m >> j & 1]) for m in np.unique(mask).tolist()
    }
    interests = [sets[m] for m in mask.tolist()]
    consent = rng.random((n, 5)) < np.array([0.7, 0.45, 0.5, 0.3, 0.6])
    birth = (1950 + np.floor(rng.beta(2.0, 2.3, n) * 58)).astype(int)
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


# ---- leads, history, interactions, sales ------------------------------------------------------------


def _timestamps(us_since_2000: np.ndarray) -> list:
    """UTC datetimes (naive; COPYed as timestamp, whose binary form equals timestamptz's UTC value)."""
    return (EPOCH_2000 + us_since_2000.astype("timedelta64[us]")).astype(object).tolist()


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
    """Generate, encrypt and COPY every PromptCRM table (replacing what was there); returns rows per table."""
    started = time.perf_counter()
    settings = ctx.settings
    crm_db, ads_db = ctx.database("crm"), ctx.database("ads")
    task = ctx.progress.add_task("crm: generate", total=10) if ctx.progress else None

    def step(description: str) -> None:
        if ctx.progress is not None:
            ctx.progress.update(task, advance=1, description=f"crm: {description}")

    ensure_link(settings, crm_db, ads_db, refresh=True)
    results, markets = read_ads(ctx)
    step("plan leads")
    rng = np.random.default_rng([ctx.seed, 4])
    plan = plan_leads(results, rng, MIN_CLIENTS[ctx.scale])
    n_leads = len(plan.client)
    step("build clients")
    clients = build_clients(plan, results, markets, rng)

    # leads
    row = plan.row
    lead_ids = np.arange(1, n_leads + 1)
    day_us = results.day[row] * US_PER_DAY
    lead_created_us = day_us + rng.integers(0, 12 * 3600, n_leads) * 1_000_000
    sold_us = day_us + rng.integers(13 * 3600, 24 * 3600, n_leads) * 1_000_000
    final_stage = np.where(plan.converted, STAGE_WON, rng.choice(OPEN_FINAL_STAGES, n_leads, p=OPEN_FINAL_P))
    base_score = np.array([0, 20, 30, 40, 55, 65, 75, 12])[final_stage]
    score = np.clip(base_score + rng.normal(0, 10, n_leads), 0, 100).astype(int)
    source = rng.choice(SOURCE_IDS, n_leads, p=SOURCE_P)

    # funnel history: new → … → final stage (lost leaves after 1–4 open stages)
    lost_after = rng.integers(1, 5, n_leads)
    n_hist = np.where(final_stage == STAGE_LOST, lost_after + 1, final_stage)
    h_lead = np.repeat(np.arange(n_leads), n_hist)
    h_k = np.arange(len(h_lead)) - np.repeat(np.cumsum(n_hist) - n_hist, n_hist)
    h_final = final_stage[h_lead]
    to_stage = np.where((h_final == STAGE_LOST) & (h_k == lost_after[h_lead]), STAGE_LOST, h_k + 1)
    from_stage = np.r_[0, to_stage[:-1]]
    from_stage = np.where(h_k == 0, 0, from_stage)
    span = np.where(plan.converted, sold_us - lead_created_us, 0)[h_lead]
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
    current_stage_time = h_time[np.cumsum(n_hist) - 1]
    # leads may skip intermediate stages: keep the first and the final change, each other one with p = 0.55
    keep = (h_k == 0) | (h_k == last_k) | (rng.random(len(h_lead)) < 0.55)
    h_lead, to_stage, h_time = h_lead[keep], to_stage[keep], h_time[keep]
    first_change = np.r_[True, h_lead[1:] != h_lead[:-1]]
    h_k = np.where(first_change, 0, 1)
    from_stage = np.where(first_change, 0, np.r_[0, to_stage[:-1]])

    # interactions: an ad view first, then follow-ups, then the purchase for converted leads
    n_follow = rng.poisson(0.9, n_leads)
    n_inter = 1 + n_follow + plan.converted
    i_lead = np.repeat(np.arange(n_leads), n_inter)
    i_k = np.arange(len(i_lead)) - np.repeat(np.cumsum(n_inter) - n_inter, n_inter)
    i_type = rng.choice(FOLLOW_TYPES, len(i_lead), p=FOLLOW_P)
    i_type[i_k == 0] = 1
    is_purchase = plan.converted[i_lead] & (i_k == n_inter[i_lead] - 1)
    i_type[is_purchase] = 7
    i_time = np.where(
        i_k == 0,
        lead_created_us[i_lead] - rng.integers(60, 3 * 3600, len(i_lead)) * 1_000_000,
        lead_created_us[i_lead] + (rng.exponential(0.8, len(i_lead)) * US_PER_DAY).astype(np.int64),
    )
    i_time = np.where(is_purchase, sold_us[i_lead], i_time)
    seconds = np.select(
        [i_type == 1, i_type == 4, i_type == 6],
        [
            np.clip(np.exp(rng.normal(2.4, 0.9, len(i_lead))), 1, 600),
            rng.integers(30, 600, len(i_lead)),
            rng.integers(60, 1800, len(i_lead)),
        ],
        0,
    ).astype(int)
    lang_es = np.array([markets.language.get(int(m)) == "es" for m in results.market_id.tolist()])[row]
    comment_pick = rng.integers(0, 12, len(i_lead))
    comments = {
        i: (vocab.COMMENTS["es"][c] if es else vocab.COMMENTS["en"][c])
        for i, c, es in zip(
            np.flatnonzero(i_type == 3).tolist(),
            comment_pick[i_type == 3].tolist(),
            lang_es[i_lead[i_type == 3]].tolist(),
        )
    }
    step("allocate sales")
    sale_lead, cents = allocate_amounts(results, plan, rng)

    step("encrypt")
    keystore = KeyStore.for_server(settings, "crm", crm_db)
    keystore.ensure()
    counts: dict[str, int] = {}
    with connect("crm", "owner", settings=settings, dbname=crm_db) as conn:
        conn.execute("TRUNCATE " + ", ".join(f"crm.{t}" for t in DATA_TABLES) + " RESTART IDENTITY")
        restore = suspend_constraints(conn, [f"crm.{t}" for t in DATA_TABLES])
        data_key_id, key = create_data_key(conn, keystore, "field")
        index = blind_index(conn, keystore, create=True)
        cipher = ClientFieldCipher(FieldCipher(key, data_key_id))
        ids = range(1, plan.n_clients + 1)
        nid_enc, ctx_enc = cipher.encrypt_batch(ids, clients.national_id, clients.context)
        bidx = [index.digest(v) for v in clients.national_id]
        clients.national_id.clear()
        clients.context.clear()

        step("load clients")
        columns = {
            **clients.columns,
            "national_id_enc": ("bytes", nid_enc),
            "national_id_bidx": ("bytes", bidx),
            "context_enc": ("bytes", ctx_enc),
            "data_key_id": ("int4", np.full(plan.n_clients, data_key_id)),
        }
        counts["clients"] = copy_varlen(conn, "crm.clients", list(columns), list(columns.values()))
        del nid_enc, ctx_enc, bidx, clients

        step("load leads")
        campaign, ad = results.campaign_id[row], results.ad_id[row]
        channel, market = results.channel_id[row], results.market_id[row]
        counts["leads"] = copy_columns(
            conn,
            "crm.leads",
            [
                "lead_id",
                "client_id",
                "campaign_id",
                "ad_id",
                "channel_id",
                "market_id",
                "source_id",
                "stage_id",
                "score",
                "created_at",
                "updated_at",
            ],
            [
                ("int8", lead_ids),
                ("int4", plan.client),
                ("int4", campaign),
                ("int4", ad),
                ("int2", channel),
                ("int2", market),
                ("int2", source),
                ("int2", final_stage),
                ("int2", score),
                ("timestamptz", lead_created_us),
                ("timestamptz", current_stage_time),
            ],
        )
        counts["client_campaigns"] = copy_columns(
            conn,
            "crm.client_campaigns",
            ["client_id", "campaign_id", "channel_id", "market_id", "reached_at", "converted"],
            [
                ("int4", plan.client),
                ("int4", campaign),
                ("int2", channel),
                ("int2", market),
                ("timestamptz", lead_created_us),
                ("bool", plan.converted),
            ],
        )
        step("load funnel history")
        history_id = np.arange(1, len(h_lead) + 1)
        counts["lead_stage_history"] = 0
        for has_from in (False, True):  # the first change of a lead has no from-stage (NULL)
            pick = (h_k > 0) == has_from
            names = (
                ["history_id", "lead_id"]
                + (["from_stage_id"] if has_from else [])
                + ["to_stage_id", "changed_at", "changed_by"]
            )
            columns = [("int8", history_id[pick]), ("int8", h_lead[pick] + 1)]
            columns += [("int2", from_stage[pick])] if has_from else []
            columns += [
                ("int2", to_stage[pick]),
                ("timestamptz", h_time[pick]),
                ("char:9", np.full(int(pick.sum()), b"generator")),
            ]
            counts["lead_stage_history"] += copy_columns(conn, "crm.lead_stage_history", names, columns)
        step("load interactions")
        interaction_id = np.arange(1, len(i_lead) + 1)
        plain = i_type != 3
        counts["interactions"] = copy_columns(
            conn,
            "crm.interactions",
            ["interaction_id", "client_id", "lead_id", "type_id", "channel_id", "occurred_at", "viewing_seconds"],
            [
                ("int8", interaction_id[plain]),
                ("int4", plan.client[i_lead[plain]]),
                ("int8", i_lead[plain] + 1),
                ("int2", i_type[plain]),
                ("int2", channel[i_lead[plain]]),
                ("timestamptz", i_time[plain]),
                ("int4", seconds[plain]),
            ],
        )
        with_comment = np.flatnonzero(~plain)
        counts["interactions"] += _copy(
            conn,
            "crm.interactions",
            "interaction_id, client_id, lead_id, type_id, channel_id, occurred_at, viewing_seconds, comment_text",
            ["int8", "int4", "int8", "int2", "int2", "timestamp", "int4", "text"],
            zip(
                interaction_id[with_comment].tolist(),
                plan.client[i_lead[with_comment]].tolist(),
                (i_lead[with_comment] + 1).tolist(),
                i_type[with_comment].tolist(),
                channel[i_lead[with_comment]].tolist(),
                _timestamps(i_time[with_comment]),
                seconds[with_comment].tolist(),
                [comments[i] for i in with_comment.tolist()],
            ),
        )
        step("load sales")
        srow = row[sale_lead]
        amounts = [Decimal(c).scaleb(-2) for c in cents.tolist()]
        counts["sales"] = _copy(
            conn,
            "crm.sales",
            "sale_id, lead_id, client_id, campaign_id, ad_id, channel_id, market_id, amount, currency, sold_at",
            ["int8", "int8", "int4", "int4", "int4", "int2", "int2", "numeric", "text", "timestamp"],
            zip(
                range(1, len(sale_lead) + 1),
                (sale_lead + 1).tolist(),
                plan.client[sale_lead].tolist(),
                results.campaign_id[srow].tolist(),
                results.ad_id[srow].tolist(),
                results.channel_id[srow].tolist(),
                results.market_id[srow].tolist(),
                amounts,
                ["USD"] * len(sale_lead),
                _timestamps(sold_us[sale_lead]),
            ),
        )
        step("indexes and foreign keys")
        restore()
        for table, column in (
            ("clients", "client_id"),
            ("leads", "lead_id"),
            ("interactions", "interaction_id"),
            ("lead_stage_history", "history_id"),
            ("sales", "sale_id"),
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('crm.{table}', '{column}'), "
                f"greatest((SELECT max({column}) FROM crm.{table}), 1))"
            )
        elapsed = time.perf_counter() - started
        total_rows = sum(counts.values())
        conn.execute(
            "CALL crm.crmsp_write_log('etl', 'generator', 'info', %s, %s, %s, %s, %s)",
            (
                f"CRM seed ({ctx.scale}, seed {ctx.seed})",
                counts["clients"],
                counts["leads"],
                f"{total_rows} rows",
                f"{elapsed:.1f} s",
            ),
        )
    step("analyze")
    with connect("crm", "owner", settings=settings, dbname=crm_db, autocommit=True) as conn:
        for table in ANALYZED_TABLES:
            conn.execute(f"ANALYZE crm.{table}")
    if ctx.progress is not None:
        ctx.progress.update(task, completed=10, description="crm: done")
    return counts


def suspend_constraints(conn: psycopg.Connection, tables: list[str]):
    """Drop the foreign keys and secondary indexes of (empty) ``tables`` for a bulk load.

    Returns a function that re-creates them: each foreign key is then validated in one set-based join
    and each index built in one sort, instead of a trigger and an index insertion per row. Primary keys and
    unique constraints stay. Everything happens in the caller's transaction.
    """
    oids = [conn.execute("SELECT %s::regclass::oid", (t,)).fetchone()[0] for t in tables]
    fks = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s) ORDER BY conrelid, conname",
        (oids,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s) AND NOT indisprimary AND NOT indisunique ORDER BY indexrelid",
        (oids,),
    ).fetchall()
    for table, name, _ in fks:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
    for index, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))

    def restore() -> None:
        for _, definition in indexes:
            conn.execute(definition.encode())
        for table, name, definition in fks:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.SQL(table), sql.Identifier(name))
                + sql.SQL(definition)
            )

    return restore


def _copy(conn: psycopg.Connection, table: str, columns: str, types: list[str], rows) -> int:
    """Binary COPY of ``rows`` into ``table``; returns the number of rows written."""
    count = 0
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for values in rows:
            copy.write_row(values)
            count += 1
    return count
