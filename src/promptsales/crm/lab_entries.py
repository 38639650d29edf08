"""PromptCRM Python lab entries: field encryption round trip (R5) and the before/after plans of the
analytics query (R7–R9). Registered through :mod:`promptsales.crm.labs`."""

from __future__ import annotations

from typing import Any

from promptsales.config import Settings
from promptsales.crm import analytics
from promptsales.crm.crypto import ClientFieldCipher
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import unknown_client
from promptsales.db.connect import connect
from promptsales.db.fetch import lookup
from promptsales.lab.registry import LabEntry, LabParam, LabResult, StepResult, register


def analytics_explain(settings: Settings, values: dict[str, Any], _options: dict[str, Any]) -> LabResult:
    """EXPLAIN of the analytics query from the base tables and from the materialized views, with timings."""
    year, country = values["year"], values["country"]
    result = LabResult("crm.analytics-explain")
    before_plan = analytics.explain(settings, year, country, optimized=False)
    after_plan = analytics.explain(settings, year, country, optimized=True)
    base = analytics.run_query(settings, year, country, optimized=False)
    fast = analytics.run_query(settings, year, country, optimized=True)
    result.steps.append(
        StepResult(
            "Estimated plan BEFORE (base tables + linked server)",
            analytics.query_sql(False),
            ["plan"],
            [(line,) for line in before_plan.splitlines()],
        )
    )
    result.steps.append(
        StepResult(
            "Estimated plan AFTER (materialized views + their indexes)",
            analytics.query_sql(True),
            ["plan"],
            [(line,) for line in after_plan.splitlines()],
        )
    )
    speedup = base.milliseconds / fast.milliseconds if fast.milliseconds else float("inf")
    same = base.rows == fast.rows
    result.steps.append(
        StepResult(
            "Measured",
            "",
            ["version", "rows", "milliseconds"],
            [("before", len(base.rows), base.milliseconds), ("after", len(fast.rows), fast.milliseconds)],
            note=f"same rows: {same}; {speedup:.0f}× faster",
        )
    )
    result.steps.append(StepResult("First rows (after)", "", fast.columns, fast.rows[:15]))
    result.outcome = (
        f"{len(fast.rows)} rows; before {base.milliseconds:.0f} ms, after {fast.milliseconds:.1f} ms "
        f"({speedup:.0f}× faster); identical results: {same}"
    )
    return result


def field_encryption(settings: Settings, values: dict[str, Any], _options: dict[str, Any]) -> LabResult:
    """Encrypt → stored bytes → decrypt, with the wrapped data key and the certificate that protects it."""
    client_id = values["client_id"]
    store = KeyStore.for_server(settings)
    result = LabResult("crm.field-encryption")
    with connect("crm", "app", settings=settings) as conn:
        row = lookup(
            conn,
            "SELECT c.client_id, c.data_key_id, c.national_id_enc, c.national_id_bidx, c.context_enc, "
            "k.cert_fingerprint, k.wrapped_key FROM crm.clients c JOIN crm.data_keys k USING (data_key_id) "
            "WHERE c.client_id = %s",
            (client_id,),
            unknown_client(client_id),
        )
        _, key_id, nid_enc, bidx, ctx_enc, fingerprint, wrapped = row
        result.steps.append(
            StepResult(
                "1. What the database stores (ciphertext, blind index, wrapped data key)",
                "SELECT national_id_enc, national_id_bidx, context_enc FROM crm.clients WHERE client_id = %(client_id)s",
                ["field", "bytes", "hex (first 48 bytes)"],
                [
                    ("national_id_enc = nonce ‖ AES-256-GCM ciphertext ‖ tag", len(nid_enc), bytes(nid_enc)[:48].hex()),
                    ("national_id_bidx = HMAC-SHA256[:16]", len(bidx), bytes(bidx).hex()),
                    ("context_enc", len(ctx_enc), bytes(ctx_enc)[:48].hex()),
                    (f"data key #{key_id} wrapped with RSA-OAEP", len(wrapped), bytes(wrapped)[:48].hex()),
                    ("certificate fingerprint (SHA-256)", 32, fingerprint),
                ],
            )
        )
        result.steps.append(
            StepResult(
                "2. The key store outside the database",
                "",
                ["key store", "certificates", "active"],
                [
                    (
                        str(store.path),
                        ", ".join(fp[:16] + "…" for fp in store.fingerprints()),
                        (store.active_fingerprint() or "")[:16] + "…",
                    )
                ],
            )
        )
        cipher = ClientFieldCipher.load(conn, store, key_id)
        national_id = cipher.decrypt_national_id(client_id, nid_enc)
        context = cipher.decrypt_context_text(client_id, ctx_enc)
        demo = cipher.encrypt_national_id(client_id, "CR-1-0234-0567")  # under this client's key (D132)
        result.steps.append(
            StepResult(
                "3. Unwrap the data key with the certificate's private key (and the client's own key with it), then decrypt",
                "",
                ["value", "clear text"],
                [
                    ("national_id", national_id),
                    ("context", context),
                    ("encrypt('CR-1-0234-0567') now → hex", demo.hex()),
                    ("decrypt of that", cipher.decrypt_national_id(client_id, demo)),
                ],
            )
        )
        conn.rollback()
    result.outcome = "Only ciphertext is stored; decryption needs the certificate's private key from the key store."
    return result


register(
    LabEntry(
        name="crm.analytics-explain",
        company="crm",
        title="R9 — plan of the campaign-vs-purchases analytics before and after the materialized views",
        explanation=(
            "Runs EXPLAIN on the R7 analytics query computed from the base tables (700k leads, 565k clients, "
            "1.4M interactions, PromptAds through the linked server) and on the same query over the two indexed "
            "materialized views crm.mv_crm_monthly_band and crm.mv_ads_monthly (R8); then runs both, checks "
            "they return the same rows and prints the measured times."
        ),
        params=[LabParam("year", "int", "2025"), LabParam("country", "str", "US")],
        runner=analytics_explain,
    )
)

register(
    LabEntry(
        name="crm.field-encryption",
        company="crm",
        title="R5 — field encryption: stored bytes, wrapped data key, certificate, decrypt",
        explanation=(
            "Shows the stored AES-256-GCM ciphertext of a client's national ID and context data, the blind index, "
            "the data key wrapped by the RSA key of the key store's X.509 certificate, then unwraps the key with "
            "the certificate's private key (outside the database) and decrypts."
        ),
        params=[LabParam("client_id", "int", "1")],
        runner=field_encryption,
    )
)
