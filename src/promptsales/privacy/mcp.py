"""Data-subject requests as MCP tools (scope ``privacy:admin``) on PromptCRM's server, the server that owns the
people. :func:`attach` declares them on the CRM kit (:func:`promptsales.wiring.load_kit` calls it); each tool is a
thin wrapper over :mod:`promptsales.privacy.service`. Over stdio there is no token, hence no ``privacy:admin``:
the tools refuse and point to ``promptsales privacy …``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from promptsales.caller import current_caller
from promptsales.config import get_settings
from promptsales.errors import UserError
from promptsales.mcpkit import ToolKit
from promptsales.mcpkit.errors import tool_input_errors
from promptsales.privacy import service

SCOPE = "privacy:admin"
Email = Annotated[str | None, Field(max_length=200, description="The person's e-mail address.")]
NationalId = Annotated[str | None, Field(max_length=30, description="The person's national ID, e.g. CR-1-0234-0567.")]
RegimeArg = Annotated[Literal["gdpr", "ccpa"], Field(description="gdpr: answer within 30 days; ccpa: 45 days.")]


# Models of the tools' published schemas: no class docstrings (a docstring would change the schema).
class PrivacyAnswer(BaseModel):
    request_id: int
    kind: str
    regime: str
    outcome: str = Field(description="completed, or no_data when nothing is held about the person.")
    subject_ref: str = Field(description="Keyed hash of the identifier (the request record never holds it).")
    client_ids: list[int]
    detail: dict[str, Any]


class PrivacyExport(PrivacyAnswer):
    manifest: dict[str, Any] = Field(
        description="What the archive holds: files, row counts, SHA-256, what is not in it."
    )
    stores: dict[str, dict[str, list[dict[str, Any]]]] = Field(description="Store → table → rows about the person.")


class PrivacyRequest(BaseModel):
    request_id: int
    kind: str
    regime: str
    subject_ref: str
    client_ids: list[int]
    received_at: str
    due_at: str
    completed_at: str | None
    outcome: str | None
    overdue: bool


class PrivacyRequests(BaseModel):
    requests: list[PrivacyRequest]
    overdue: int


def _authorised() -> str:
    """The caller's actor when its token holds ``privacy:admin`` (defence in depth behind the scope guard)."""
    caller = current_caller()
    if SCOPE not in caller.scopes:
        raise UserError("Data-subject requests need scope privacy:admin (over stdio: use `promptsales privacy …`).")
    return caller.actor


def _nothing(arguments: Any, result: Any) -> list:
    """A tool that changes no cached answer (it records a request only)."""
    return []


def _answer(result: service.Answer) -> dict[str, Any]:
    return {
        "request_id": result.request_id,
        "kind": result.kind,
        "regime": result.regime,
        "outcome": result.outcome,
        "subject_ref": result.subject_ref,
        "client_ids": result.client_ids,
        "detail": result.detail,
    }


def attach(kit: ToolKit) -> None:
    """Declare the privacy tools on ``kit`` (PromptCRM's)."""

    @kit.tool(
        scope=SCOPE,
        read_only=False,
        title="Data-subject export",
        idempotent=False,
        destructive=False,
        invalidates=_nothing,
    )
    def privacyExport(email: Email = None, national_id: NationalId = None, regime: RegimeArg = "gdpr") -> PrivacyExport:
        """Everything held about one person (give exactly one of email or national_id), from every store —
        PromptCRM with the protected fields decrypted, PromptContent's logs, the cache, the audit and AI-usage
        rows — with a manifest. Recorded as a request with its deadline and audited."""
        actor = _authorised()
        with tool_input_errors():
            result = service.export_subject(
                get_settings(), email=email, national_id=national_id, regime=regime, actor=actor
            )
        return PrivacyExport(**_answer(result), manifest=result.manifest or {}, stores=result.stores or {})

    @kit.tool(scope=SCOPE, read_only=False, title="Data-subject erasure", idempotent=True, destructive=True)
    def privacyErase(
        confirm: Annotated[bool, Field(description="Must be true: the erasure cannot be undone.")],
        email: Email = None,
        national_id: NationalId = None,
        regime: RegimeArg = "gdpr",
    ) -> PrivacyAnswer:
        """Erase one person everywhere: anonymised in PromptCRM (leads and sales kept, so totals do not change),
        their own key destroyed (their protected fields unreadable in every backup), their identifiers removed
        from PromptContent's logs, AI texts and the cache. Needs confirm=true."""
        actor = _authorised()
        with tool_input_errors():
            if confirm is not True:
                raise UserError("Erasure cannot be undone: call again with confirm=true. Nothing was changed.")
            result = service.erase_subject(
                get_settings(), email=email, national_id=national_id, regime=regime, actor=actor
            )
        return PrivacyAnswer(**_answer(result))

    @kit.tool(
        scope=SCOPE, read_only=False, title="CCPA opt-out of sale and sharing", idempotent=True, destructive=False
    )
    def privacyOptOut(email: Email = None, national_id: NationalId = None) -> PrivacyAnswer:
        """Opt one person out of the sale and sharing of their data (CCPA): no export to third parties from now
        on, also after a later capture of the same e-mail."""
        actor = _authorised()
        with tool_input_errors():
            result = service.opt_out_subject(get_settings(), email=email, national_id=national_id, actor=actor)
        return PrivacyAnswer(**_answer(result))

    @kit.tool(
        scope=SCOPE,
        read_only=False,
        title="Data-subject requests",
        idempotent=True,
        destructive=False,
        invalidates=_nothing,
    )
    def privacyRequests(
        open_only: Annotated[bool, Field(description="Only requests not answered yet.")] = False,
    ) -> PrivacyRequests:
        """The recorded data-subject requests, newest first, with their deadlines (30 days GDPR, 45 days CCPA);
        overdue ones are flagged."""
        _authorised()
        rows = service.requests(get_settings(), open_only)
        items = [
            PrivacyRequest(
                **{
                    **row,
                    "received_at": row["received_at"].isoformat(),
                    "due_at": row["due_at"].isoformat(),
                    "completed_at": row["completed_at"].isoformat() if row["completed_at"] else None,
                }
            )
            for row in rows
        ]
        return PrivacyRequests(requests=items, overdue=sum(item.overdue for item in items))
