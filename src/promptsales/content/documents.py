"""The shapes of PromptContent's MongoDB documents (SPEC C1), validated in Python with pydantic.

FerretDB v1 (the local MongoDB-protocol server) does not implement ``$jsonSchema`` validators
(``create``/``collMod`` with ``validator`` → "not implemented yet"), so every write goes through
these models; on a real MongoDB the Mongo migrations additionally install the same JSON schema as a
server-side validator (see :mod:`promptsales.content.mongo_migrations`, docs/decisions.md D31).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MediaType = Literal["image", "video", "audio"]
MEDIA_TYPES: tuple[str, ...] = ("image", "video", "audio")


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class UsageRights(_Document):
    """Who may use an asset and until when."""

    licence: str
    territories: list[str]
    channels: list[str]
    licence_expires_at: datetime


class Version(_Document):
    """One approved version of an asset."""

    version: int = Field(ge=1)
    approved_at: datetime
    approved_by: str
    sha256: str | None = None
    note: str


class MediaAsset(_Document):
    """An image, video or audio record with its description and classifying hashtags."""

    id: str = Field(alias="_id", pattern=r"^media-[0-9]{6,}$")
    media_type: MediaType
    title: str = Field(min_length=3, max_length=200)
    uri: str | None = Field(description="media:// URI in the content-addressed store; None for metadata-only records")
    thumbnail_uri: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    format: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None
    description: str = Field(min_length=20)
    hashtags: list[str] = Field(min_length=1)
    attributes: dict[str, str]
    scene: dict[str, Any] | None = Field(
        default=None, description="what the picture, video or audio contains; the description is written from it"
    )
    description_edited_at: datetime | None = Field(
        default=None, description="set when the description was rewritten by hand: it no longer comes from the scene"
    )
    usage_rights: UsageRights
    versions: list[Version]
    brand_id: int | None = None
    campaign_id: int | None = None
    created_at: datetime
    updated_at: datetime


class Hashtag(_Document):
    """A hashtag of the catalogue and the category it classifies."""

    id: str = Field(alias="_id", pattern=r"^#[a-z0-9]+$")
    category: str
    label: str
    uses: int = Field(ge=0)


class ContentRequest(_Document):
    """A request received by ``createCampaignMessages`` (stored before anything is generated)."""

    id: str = Field(alias="_id")
    campaign_description: str
    target_audiences: list[str]
    requested_by: str
    status: Literal["received", "completed", "failed"]
    created_at: datetime
    updated_at: datetime


class CampaignMessage(_Document):
    """One generated message for one audience."""

    audience: str
    index: int = Field(ge=1, le=3)
    text: str
    hashtags: list[str]
    grounded_in: list[str]


class CampaignMessageLog(_Document):
    """The log of one ``createCampaignMessages`` call: three messages per target population."""

    id: str = Field(alias="_id")
    request_id: str
    campaign_description: str
    target_audiences: list[str]
    context_media_ids: list[str]
    messages: list[CampaignMessage]
    provider: str
    model: str
    created_at: datetime


class Endpoint(_Document):
    """One HTTP endpoint of an external integration."""

    name: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    parameters: dict[str, str] = {}


class Integration(_Document):
    """An external service (REST or MCP) stored as data (SPEC G6); secrets are referenced, never stored."""

    id: str = Field(alias="_id", pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Literal["rest", "mcp"]
    description: str
    base_url: str
    auth_scheme: Literal["oauth2_client_credentials", "api_key_header", "none"]
    token_endpoint: str | None = None
    scopes: list[str] = []
    client_id_ref: str | None = Field(
        default=None, description="name of the environment variable holding the client id"
    )
    secret_ref: str | None = Field(default=None, description="name of the environment variable holding the secret")
    endpoints: list[Endpoint]
    parameters: dict[str, str] = {}
    created_at: datetime
    updated_at: datetime


#: Collection name → model of its documents.
COLLECTIONS: dict[str, type[_Document]] = {
    "media_assets": MediaAsset,
    "hashtags": Hashtag,
    "content_requests": ContentRequest,
    "campaign_message_logs": CampaignMessageLog,
    "integrations": Integration,
}


def validated(model: type[_Document], document: dict) -> dict:
    """Validate ``document`` against ``model`` and return it as stored (``_id`` kept, Nones kept)."""
    return model.model_validate(document).model_dump(by_alias=True)
