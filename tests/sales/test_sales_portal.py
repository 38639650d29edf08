"""The portal schema (SPEC S1, G3): generated consistently with PromptAds, review workflow enforced in the DB."""

from __future__ import annotations

import psycopg
import pytest

from promptsales.db.connect import connect


def test_portal_matches_promptads(seeded, clone_db) -> None:
    """G7: client companies, products and campaigns are PromptAds' brands, products and campaigns (same ids).

    The generator runs again on private copies (other tests may add campaigns to the session databases)."""
    from promptsales.sales.generate import seed
    from promptsales.seed import SeedContext

    names = {company: clone_db(company) for company in ("ads", "crm", "sales")}
    with connect("sales", "owner", settings=seeded, dbname=names["sales"]) as conn:
        conn.execute("TRUNCATE portal.client_companies, portal.plans, portal.bundles RESTART IDENTITY CASCADE")
    loaded = seed(SeedContext(seeded, "official", dbname=names))
    assert loaded["campaigns"] >= 1000 and loaded["proposals"] > loaded["campaigns"]
    with connect("ads", "etl", settings=seeded, dbname=names["ads"]) as ads:
        brands = {r[0] for r in ads.execute("SELECT brand_id FROM ads.brands")}
        campaigns = dict(ads.execute("SELECT campaign_id, brand_id FROM ads.campaigns").fetchall())
        budgets = dict(ads.execute("SELECT campaign_id, budget FROM ads.campaigns").fetchall())
    with connect("sales", "app", settings=seeded, dbname=names["sales"]) as sales:
        assert {r[0] for r in sales.execute("SELECT id FROM portal.client_companies")} == brands
        assert dict(sales.execute("SELECT id, client_company_id FROM portal.campaigns").fetchall()) == campaigns
        assert dict(sales.execute("SELECT campaign_id, amount FROM portal.budgets").fetchall()) == budgets
        assert sales.execute("SELECT count(*) FROM portal.sales_goals").fetchone()[0] == len(campaigns)
        # Every approved/running/completed proposal was reviewed by an approver; automated tasks only for those.
        assert (
            sales.execute(
                "SELECT count(*) FROM portal.proposals WHERE status IN ('approved', 'running', 'completed', 'rejected') "
                "AND NOT portal.user_has_role(reviewed_by, 'approver')"
            ).fetchone()[0]
            == 0
        )
        assert (
            sales.execute(
                "SELECT count(*) FROM portal.calendar_tasks t JOIN portal.proposals p ON p.id = t.proposal_id "
                "WHERE t.status IN ('running', 'done') AND p.status NOT IN ('approved', 'running', 'completed')"
            ).fetchone()[0]
            == 0
        )
        kinds = {r[0] for r in sales.execute("SELECT DISTINCT kind FROM portal.calendar_tasks")}
        assert kinds == {"reminder", "alert", "deliverable_review", "automated_action"}
        assert sales.execute("SELECT count(*) FROM portal.plans").fetchone()[0] == 12
        assert sales.execute("SELECT count(*) FROM portal.subscriptions WHERE bundle_id IS NOT NULL").fetchone()[0] > 0


def _ids(conn: psycopg.Connection) -> tuple[int, int, int]:
    proposal = conn.execute(
        "SELECT id FROM portal.proposals WHERE status = 'in_review' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    approver = conn.execute(
        "SELECT user_id FROM portal.user_roles WHERE role_code = 'approver' ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    marketer = conn.execute(
        "SELECT u.id FROM portal.users u WHERE NOT portal.user_has_role(u.id, 'approver') ORDER BY u.id LIMIT 1"
    ).fetchone()[0]
    return proposal, approver, marketer


def test_non_approver_cannot_approve_at_database_level(seeded) -> None:
    """G3: a direct UPDATE by the app role approving as a non-approver is refused with PS401 (rolled back)."""
    with connect("sales", "app", settings=seeded) as conn:
        proposal, _, marketer = _ids(conn)
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(
                "UPDATE portal.proposals SET status = 'approved', reviewed_by = %s, reviewed_at = now() WHERE id = %s",
                (marketer, proposal),
            )
        assert refused.value.sqlstate == "PS401"
        conn.rollback()
        with pytest.raises(psycopg.Error) as procedure:
            conn.execute("CALL portal.salessp_review_proposal(%s, %s, 'approved')", (proposal, marketer))
        assert procedure.value.sqlstate == "PS401"
        conn.rollback()
        assert (
            conn.execute("SELECT status FROM portal.proposals WHERE id = %s", (proposal,)).fetchone()[0] == "in_review"
        )


def test_nothing_runs_unapproved_and_approver_can_approve(seeded) -> None:
    """G3: an unapproved proposal cannot run nor can its automated task; after an approver's review both can."""
    with connect("sales", "app", settings=seeded) as conn:
        proposal, approver, _ = _ids(conn)
        campaign = conn.execute("SELECT campaign_id FROM portal.proposals WHERE id = %s", (proposal,)).fetchone()[0]
        with conn.transaction(force_rollback=True):
            with pytest.raises(psycopg.Error) as running:
                with conn.transaction():
                    conn.execute("UPDATE portal.proposals SET status = 'running' WHERE id = %s", (proposal,))
            assert running.value.sqlstate == "PS402"
            with pytest.raises(psycopg.Error) as task:
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO portal.calendar_tasks (campaign_id, proposal_id, kind, title, due_at, status) "
                        "VALUES (%s, %s, 'automated_action', 'launch', now(), 'running')",
                        (campaign, proposal),
                    )
            assert task.value.sqlstate == "PS402"
            conn.execute("CALL portal.salessp_review_proposal(%s, %s, 'approved', 'looks good')", (proposal, approver))
            assert conn.execute(
                "SELECT status, reviewed_by FROM portal.proposals WHERE id = %s", (proposal,)
            ).fetchone() == ("approved", approver)
            conn.execute(
                "INSERT INTO portal.calendar_tasks (campaign_id, proposal_id, kind, title, due_at, status) "
                "VALUES (%s, %s, 'automated_action', 'launch', now(), 'running')",
                (campaign, proposal),
            )
            conn.execute("UPDATE portal.proposals SET status = 'running' WHERE id = %s", (proposal,))
            with pytest.raises(psycopg.Error) as frozen:
                with conn.transaction():
                    conn.execute("UPDATE portal.proposals SET payload = '{}' WHERE id = %s", (proposal,))
            assert frozen.value.sqlstate == "PS405"


def test_review_procedure_rejects_bad_input(seeded) -> None:
    """Template procedure: unknown proposal → PS404, bad decision → PS406, nothing written."""
    with connect("sales", "app", settings=seeded) as conn:
        _, approver, _ = _ids(conn)
        for args, code in (((-1, approver, "approved"), "PS404"), ((1, approver, "maybe"), "PS406")):
            with pytest.raises(psycopg.Error) as error:
                conn.execute("CALL portal.salessp_review_proposal(%s, %s, %s)", args)
            assert error.value.sqlstate == code
            conn.rollback()
