"""PromptSales portal data (SPEC S1, G3, G7): generated from the PromptAds and PromptCRM data, never typed in.

Client companies, products and campaigns ARE the PromptAds brands, products and campaigns (same ids);
budgets are the campaign budgets; each campaign's sales goal is drawn around what PromptCRM actually
sold for it (so success rates spread around 100 %). Users, strategies, AI proposals and their reviews,
the per-campaign calendar, plans, bundles and subscriptions are drawn with numpy from one seed and loaded
with COPY (:func:`promptsales.db.bulk.copy_rows`). Proposals go through the real review workflow (the
database trigger checks every approval).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from promptsales.db import bulk
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.seeding import SeedContext

FIRST = np.array(
    [
        "Ana",
        "Luis",
        "María",
        "José",
        "Sofía",
        "Carlos",
        "Lucía",
        "Diego",
        "Valeria",
        "Andrés",
        "Emma",
        "Noah",
        "Olivia",
        "Liam",
        "Mia",
        "Ethan",
        "Chloe",
        "Mateo",
        "Isabella",
        "Daniel",
    ]
)
LAST = np.array(
    [
        "García",
        "Smith",
        "Rodríguez",
        "Johnson",
        "Martínez",
        "Brown",
        "López",
        "Davis",
        "Hernández",
        "Miller",
        "González",
        "Wilson",
        "Pérez",
        "Moore",
        "Sánchez",
        "Taylor",
        "Ramírez",
        "Anderson",
    ]
)
POSITIONS = np.array(
    ["Marketing Director", "Brand Manager", "Head of Growth", "CMO", "Sales Lead", "E-commerce Manager"]
)
INTENTS = np.array(["awareness", "consideration", "conversion", "retention", "launch"])
AUDIENCES = [
    ("Young urban professionals", 25, 34),
    ("Students", 18, 24),
    ("Parents of young children", 28, 45),
    ("Retirees", 60, 80),
    ("Small-business owners", 30, 60),
    ("Gamers", 16, 35),
    ("Fitness enthusiasts", 20, 45),
]
INTERESTS = np.array(["technology", "travel", "fitness", "food", "fashion", "finance", "gaming", "family", "music"])
KINDS = np.array(["campaign", "content", "timing", "media", "suggestion"])
MODELS = np.array(["local-composer-1", "gpt-4o-mini", "llama3.1:8b"])
STAFF_ROLES = {"marketer": 40, "sales_agent": 60, "approver": 8, "admin": 4}
TIERS = {"starter": 1.0, "growth": 2.6, "enterprise": 7.5}
BASE_PRICE = {"content": 149.0, "ads": 299.0, "crm": 199.0, "sales": 99.0}
BUNDLES = {
    "Growth Suite": ["content", "ads"],
    "Full Funnel": ["content", "ads", "crm", "sales"],
    "Sales Engine": ["crm", "sales"],
}


def is_seeded(ctx: SeedContext) -> bool:
    """True when the portal already has client companies."""
    with connect("sales", "owner", settings=ctx.settings, dbname=ctx.database("sales")) as conn:
        return scalar(conn, "SELECT EXISTS (SELECT 1 FROM portal.client_companies)")


def _read_sources(ctx: SeedContext) -> dict:
    """Brands, products, campaigns (+ markets' countries) from PromptAds and sales per campaign from PromptCRM."""
    with connect("ads", "etl", settings=ctx.settings, dbname=ctx.database("ads")) as ads:
        brands = ads.execute(
            "SELECT brand_id, name, industry, country_code, created_at FROM ads.brands ORDER BY brand_id"
        ).fetchall()
        products = ads.execute(
            "SELECT product_id, brand_id, name, category, list_price FROM ads.products ORDER BY product_id"
        ).fetchall()
        campaigns = ads.execute(
            "SELECT c.campaign_id, c.brand_id, c.product_id, c.name, c.created_at, c.budget, c.start_date, c.end_date, "
            "c.status, coalesce((SELECT array_agg(DISTINCT m.country_code) FROM ads.campaign_markets cm "
            "JOIN ads.markets m USING (market_id) WHERE cm.campaign_id = c.campaign_id), '{}') "
            "FROM ads.campaigns c ORDER BY c.campaign_id"
        ).fetchall()
    sold: dict[int, float] = {}
    try:
        with connect("crm", "etl", settings=ctx.settings, dbname=ctx.database("crm")) as crm:
            sold = dict(crm.execute("SELECT campaign_id, sum(amount)::float FROM crm.sales GROUP BY 1").fetchall())
    except psycopg.Error:
        sold = {}
    return {"brands": brands, "products": products, "campaigns": campaigns, "sold": sold}


def seed(ctx: SeedContext) -> dict[str, int]:
    """Generate and load the portal data in one transaction; returns rows per table.

    The steps run in this order: they share one random stream, and later steps use the ids earlier ones
    were given (users → strategies → proposals → calendar).
    """
    rng = np.random.default_rng(ctx.seed + 4)
    src = _read_sources(ctx)
    loaded: dict[str, int] = {}
    progress = ctx.progress
    task = progress.add_task("sales: portal", total=8) if progress else None

    def step() -> None:
        if progress is not None and task is not None:
            progress.advance(task)

    with connect("sales", "owner", settings=ctx.settings, dbname=ctx.database("sales")) as conn:
        brands, products, campaigns = src["brands"], src["products"], src["campaigns"]
        brand_ids = np.array([b[0] for b in brands], dtype=np.int64)
        loaded.update(load_companies(conn, brands, products))
        step()
        loaded.update(load_contacts(conn, rng, brand_ids))
        users, by_role = load_users(conn, brand_ids)
        loaded.update(users)
        step()
        strategies, strategy_of = load_strategies(conn, rng, campaigns, by_role)
        loaded.update(strategies)
        step()
        loaded.update(load_campaigns(conn, rng, campaigns, strategy_of, src["sold"]))
        step()
        loaded.update(load_proposals(conn, rng, campaigns, strategy_of, by_role))
        loaded.update(review_proposals(conn, by_role))
        step()
        loaded.update(load_calendar(conn, by_role))
        step()
        loaded.update(load_offers(conn, rng, brand_ids))
        step()
        conn.commit()
    return loaded


def load_companies(conn: psycopg.Connection, brands: list[tuple], products: list[tuple]) -> dict[str, int]:
    """Client companies and products: the PromptAds brands and products, same ids."""
    return {
        "client_companies": bulk.copy_rows(
            conn, "portal.client_companies", ["id", "name", "industry", "country", "created_at"], brands
        ),
        "products": bulk.copy_rows(
            conn, "portal.products", ["id", "client_company_id", "name", "category", "list_price"], products
        ),
    }


def load_contacts(conn: psycopg.Connection, rng: np.random.Generator, brand_ids: np.ndarray) -> dict[str, int]:
    """Contacts: 2–4 per client company, the first one primary."""
    per = rng.integers(2, 5, size=len(brand_ids))
    owner = np.repeat(brand_ids, per)
    first, last = rng.choice(FIRST, owner.size), rng.choice(LAST, owner.size)
    position = rng.choice(POSITIONS, owner.size)
    primary = np.r_[True, owner[1:] != owner[:-1]] if owner.size else np.array([], bool)
    contacts = [
        (
            int(o),
            f"{f} {last_name}",
            f"{f.lower()}.{last_name.lower()}{i}@client{o}.example",
            f"+1-555-{1000 + i % 9000:04d}",
            p,
            bool(pr),
        )
        for i, (o, f, last_name, p, pr) in enumerate(zip(owner, first, last, position, primary))
    ]
    columns = ["client_company_id", "full_name", "email", "phone", "position", "is_primary"]
    return {"contacts": bulk.copy_rows(conn, "portal.contacts", columns, contacts)}


def load_users(conn: psycopg.Connection, brand_ids: np.ndarray) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Staff users with their roles plus one marketer user per client company; (rows, staff user ids by role)."""
    staff = [(role, i) for role, n in STAFF_ROLES.items() for i in range(n)]
    users: list[tuple[str, str, int | None]] = [
        (
            f"{role}{i}@promptsales.example",
            f"{FIRST[(i * 7 + len(role)) % len(FIRST)]} {LAST[(i * 5 + len(role)) % len(LAST)]}",
            None,
        )
        for role, i in staff
    ]
    users += [(f"portal@client{b}.example", f"Client {b} user", int(b)) for b in brand_ids]
    bulk.copy_rows(conn, "portal.users", ["email", "full_name", "client_company_id"], users)
    ids = [r[0] for r in conn.execute("SELECT id FROM portal.users ORDER BY id")]
    roles = [(ids[k], role) for k, (role, _) in enumerate(staff)]
    roles += [(ids[len(staff) + k], "marketer") for k in range(len(brand_ids))]
    loaded = {
        "users": len(ids),
        "user_roles": bulk.copy_rows(conn, "portal.user_roles", ["user_id", "role_code"], roles),
    }
    by_role = {role: np.array([u for u, r in roles[: len(staff)] if r == role]) for role in STAFF_ROLES}
    return loaded, by_role


def load_strategies(
    conn: psycopg.Connection, rng: np.random.Generator, campaigns: list[tuple], by_role: dict[str, np.ndarray]
) -> tuple[dict[str, int], dict[tuple, int]]:
    """One strategy per (brand, product) used by campaigns, with audiences, product and countries.

    Returns (rows per table, strategy id by (brand, product)). Campaigns created through
    adssp_create_campaign may have no product: those sort first.
    """
    keys = sorted({(c[1], c[2]) for c in campaigns}, key=lambda k: (k[0], -1 if k[1] is None else k[1]))
    created = datetime(2024, 6, 1, tzinfo=UTC)
    strategies = [
        (
            int(b),
            f"Strategy {k + 1}: {INTENTS[k % len(INTENTS)]} for client {b}",
            str(INTENTS[k % len(INTENTS)]),
            f"Key message {k + 1} for client {b}",
            int(rng.choice(by_role["marketer"])),
            created + timedelta(days=k % 30),
        )
        for k, (b, _) in enumerate(keys)
    ]
    bulk.copy_rows(
        conn,
        "portal.strategies",
        ["client_company_id", "name", "intent", "key_message", "created_by", "created_at"],
        strategies,
    )
    strategy_ids = [r[0] for r in conn.execute("SELECT id FROM portal.strategies ORDER BY id")]
    strategy_of = {key: sid for key, sid in zip(keys, strategy_ids)}
    audience_rows, product_rows = [], []
    for (_brand, product), sid in zip(keys, strategy_ids):
        for a in rng.choice(len(AUDIENCES), size=int(rng.integers(1, 4)), replace=False):
            name, lo, hi = AUDIENCES[a]
            audience_rows.append((sid, name, lo, hi, list(rng.choice(INTERESTS, 2, replace=False))))
        if product is not None:
            product_rows.append((sid, product))
    countries: dict[int, set] = {}
    for c in campaigns:
        countries.setdefault(strategy_of[(c[1], c[2])], set()).update(c[9])
    country_rows = [(sid, cc) for sid, ccs in countries.items() for cc in sorted(ccs)]
    loaded = {
        "strategies": len(strategy_ids),
        "strategy_audiences": bulk.copy_rows(
            conn,
            "portal.strategy_audiences",
            ["strategy_id", "audience", "age_min", "age_max", "interests"],
            audience_rows,
        ),
        "strategy_products": bulk.copy_rows(
            conn, "portal.strategy_products", ["strategy_id", "product_id"], product_rows
        ),
        "strategy_countries": bulk.copy_rows(
            conn, "portal.strategy_countries", ["strategy_id", "country_code"], country_rows
        ),
    }
    return loaded, strategy_of


def load_campaigns(
    conn: psycopg.Connection,
    rng: np.random.Generator,
    campaigns: list[tuple],
    strategy_of: dict[tuple, int],
    sold: dict[int, float],
) -> dict[str, int]:
    """Campaigns (the PromptAds ones, same ids), their sales goals and budgets.

    Goals are drawn around what PromptCRM really sold (×0.6–1.5), so success rates spread around 100 %;
    budgets are the PromptAds budgets.
    """
    loaded = {
        "campaigns": bulk.copy_rows(
            conn,
            "portal.campaigns",
            ["id", "client_company_id", "strategy_id", "name", "created_at"],
            [(c[0], c[1], strategy_of[(c[1], c[2])], c[3], c[4]) for c in campaigns],
        )
    }
    factor = rng.uniform(0.6, 1.5, size=len(campaigns))
    goals = []
    for c, f in zip(campaigns, factor):
        actual = sold.get(c[0]) or float(c[5]) * 2.0 or 1000.0
        amount = round(max(actual * f, 100.0), 2)
        goals.append((c[1], c[0], c[6], c[7], max(1, int(amount // 120)), amount))
    loaded["sales_goals"] = bulk.copy_rows(
        conn,
        "portal.sales_goals",
        ["client_company_id", "campaign_id", "period_start", "period_end", "target_sales_count", "target_amount"],
        goals,
    )
    loaded["budgets"] = bulk.copy_rows(
        conn,
        "portal.budgets",
        ["client_company_id", "campaign_id", "period_start", "period_end", "amount"],
        [(c[1], c[0], c[6], c[7], c[5]) for c in campaigns],
    )
    return loaded


def load_proposals(
    conn: psycopg.Connection,
    rng: np.random.Generator,
    campaigns: list[tuple],
    strategy_of: dict[tuple, int],
    by_role: dict[str, np.ndarray],
) -> dict[str, int]:
    """AI proposals: 1–4 per campaign, requested by marketers, loaded ``in_review`` (see :func:`review_proposals`)."""
    n_prop = rng.integers(1, 5, size=len(campaigns))
    camp_idx = np.repeat(np.arange(len(campaigns)), n_prop)
    kinds = rng.choice(KINDS, camp_idx.size)
    models = rng.choice(MODELS, camp_idx.size)
    requesters = rng.choice(by_role["marketer"], camp_idx.size)
    proposals = []
    for j, (ci, kind, model, who) in enumerate(zip(camp_idx, kinds, models, requesters)):
        c = campaigns[ci]
        payload = {
            "campaign": c[3],
            "kind": str(kind),
            "suggestion": f"{kind} proposal {j + 1} for {c[3]}",
            "channels_hint": int(rng.integers(1, 5)),
            "confidence": round(float(rng.uniform(0.5, 0.99)), 2),
        }
        proposals.append(
            (
                c[0],
                strategy_of[(c[1], c[2])],
                str(kind),
                Jsonb(payload),
                str(model),
                int(who),
                "in_review",
                datetime.combine(c[6], datetime.min.time(), UTC) - timedelta(days=14),
            )
        )
    columns = ["campaign_id", "strategy_id", "kind", "payload", "model", "requested_by", "status", "created_at"]
    return {"proposals": bulk.copy_rows(conn, "portal.proposals", columns, proposals)}


def review_proposals(conn: psycopg.Connection, by_role: dict[str, np.ndarray]) -> dict[str, int]:
    """Decide the proposals through the review workflow (set-based; the workflow trigger checks that each
    reviewer is an approver), record the reviews, and move approved ones to running / completed by budget dates."""
    approvers = [int(a) for a in by_role["approver"]]
    conn.execute(
        "UPDATE portal.proposals p SET status = CASE WHEN (p.id * 7919) %% 100 < 82 THEN 'approved' ELSE 'rejected' END, "
        "reviewed_by = (%s::int[])[1 + p.id %% %s], reviewed_at = p.created_at + interval '2 days', "
        "review_note = 'reviewed in the portal' WHERE p.status = 'in_review' AND (p.id * 31) %% 100 < 92",
        (approvers, len(approvers)),
    )
    conn.execute(
        "INSERT INTO portal.proposal_reviews (proposal_id, reviewer_id, decision, note, reviewed_at) "
        "SELECT id, reviewed_by, status, review_note, reviewed_at FROM portal.proposals WHERE status IN ('approved', 'rejected')"
    )
    conn.execute(
        "UPDATE portal.proposals p SET status = 'running' FROM portal.campaigns c JOIN portal.budgets b "
        "ON b.campaign_id = c.id WHERE p.campaign_id = c.id AND p.status = 'approved' AND b.period_start <= now()"
    )
    conn.execute(
        "UPDATE portal.proposals p SET status = 'completed' FROM portal.budgets b "
        "WHERE b.campaign_id = p.campaign_id AND p.status = 'running' AND b.period_end < now()"
    )
    return {"proposal_reviews": scalar(conn, "SELECT count(*) FROM portal.proposal_reviews")}


def load_calendar(conn: psycopg.Connection, by_role: dict[str, np.ndarray]) -> dict[str, int]:
    """Calendar: automated actions of approved proposals, then reminders, alerts and deliverable reviews."""
    conn.execute(
        "INSERT INTO portal.calendar_tasks (campaign_id, proposal_id, kind, title, due_at, assigned_to, status, done_at) "
        "SELECT p.campaign_id, p.id, 'automated_action', 'Run ' || p.kind || ' proposal ' || p.id, "
        "       b.period_start + interval '9 hours', p.requested_by, "
        "       CASE p.status WHEN 'completed' THEN 'done' WHEN 'running' THEN 'running' ELSE 'pending' END, "
        "       CASE WHEN p.status = 'completed' THEN b.period_start + interval '9 hours' END "
        "FROM portal.proposals p JOIN portal.budgets b ON b.campaign_id = p.campaign_id "
        "WHERE p.status IN ('approved', 'running', 'completed')"
    )
    conn.execute(
        "INSERT INTO portal.calendar_tasks (campaign_id, kind, title, due_at, assigned_to, status, done_at) "
        "SELECT b.campaign_id, k.kind, k.title || ' — campaign ' || b.campaign_id, "
        "       b.period_start + k.offset_days * interval '1 day', (%s::int[])[1 + b.campaign_id %% %s], "
        "       CASE WHEN b.period_start + k.offset_days * interval '1 day' < now() THEN 'done' ELSE 'pending' END, "
        "       CASE WHEN b.period_start + k.offset_days * interval '1 day' < now() "
        "            THEN b.period_start + k.offset_days * interval '1 day' END "
        "FROM portal.budgets b CROSS JOIN (VALUES ('reminder', 'Kick-off reminder', -3), "
        "     ('deliverable_review', 'Review first deliverables', 7), ('alert', 'Spend pacing check', 14), "
        "     ('deliverable_review', 'Mid-campaign report review', 30)) AS k(kind, title, offset_days) "
        "WHERE b.campaign_id IS NOT NULL",
        ([int(u) for u in by_role["marketer"]], len(by_role["marketer"])),
    )
    return {"calendar_tasks": scalar(conn, "SELECT count(*) FROM portal.calendar_tasks")}


def load_offers(conn: psycopg.Connection, rng: np.random.Generator, brand_ids: np.ndarray) -> dict[str, int]:
    """Plans per sub-company and tier, bundles of growth plans, and one subscription set per client company."""
    plans = [
        (sub, tier, round(BASE_PRICE[sub] * mult, 2), Jsonb({"seats": int(5 * mult), "campaigns": int(10 * mult)}))
        for sub in BASE_PRICE
        for tier, mult in TIERS.items()
    ]
    loaded = {"plans": bulk.copy_rows(conn, "portal.plans", ["sub_company", "tier", "monthly_price", "limits"], plans)}
    plan_id = {(s, t): i for i, s, t in conn.execute("SELECT id, sub_company, tier FROM portal.plans")}
    loaded["bundles"] = bulk.copy_rows(
        conn,
        "portal.bundles",
        ["name", "monthly_price"],
        [(name, round(sum(BASE_PRICE[s] * 2.6 for s in subs) * 0.8, 2)) for name, subs in BUNDLES.items()],
    )
    bundle_id = {n: i for i, n in conn.execute("SELECT id, name FROM portal.bundles")}
    loaded["bundle_plans"] = bulk.copy_rows(
        conn,
        "portal.bundle_plans",
        ["bundle_id", "plan_id"],
        [(bundle_id[n], plan_id[(s, "growth")]) for n, subs in BUNDLES.items() for s in subs],
    )
    subs = []
    start = date(2024, 6, 1)
    for b in brand_ids:
        if rng.random() < 0.55:
            subs.append((int(b), None, bundle_id[str(rng.choice(list(BUNDLES)))], start, None, "active"))
        else:
            for sub in rng.choice(list(BASE_PRICE), size=int(rng.integers(1, 3)), replace=False):
                subs.append((int(b), plan_id[(str(sub), str(rng.choice(list(TIERS))))], None, start, None, "active"))
    loaded["subscriptions"] = bulk.copy_rows(
        conn,
        "portal.subscriptions",
        ["client_company_id", "plan_id", "bundle_id", "starts_on", "ends_on", "status"],
        subs,
    )
    return loaded
