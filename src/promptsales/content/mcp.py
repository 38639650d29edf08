"""The PromptContent MCP server (SPEC C4, C5): ``getContent`` and ``createCampaignMessages``.

Thin layer over :class:`promptsales.content.service.ContentService`; everything else (auth, TLS,
audit, errors, structured output, the cache hook) comes from the kit. Run it with
``promptsales mcp serve content --transport stdio|http``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Annotated, Literal

from mcp_types import ImageContent
from pydantic import Field

from promptsales.ai.embeddings import get_encoder
from promptsales.content.media_store import MediaStore
from promptsales.content.service import CampaignMessagesResult, GetContentResult, default_service
from promptsales.mcpkit import ToolKit, current_caller

kit = ToolKit(
    "content",
    title="PromptContent",
    instructions=(
        "PromptContent's media library. getContent finds images, videos and audio by meaning (vector search "
        "over their descriptions) and returns their hashtags and thumbnails; createCampaignMessages writes "
        "three messages per target audience grounded in the library, and stores the request and the log."
    ),
)


def _thumbnails(result: GetContentResult) -> list[ImageContent]:
    """Each result's thumbnail as MCP image content (so clients can show it)."""
    store = MediaStore(default_service().settings)
    images = []
    for match in result.results:
        if match.thumbnail_uri:
            try:
                data = store.read(match.thumbnail_uri)
            except (OSError, ValueError):
                continue
            images.append(ImageContent(type="image", data=base64.b64encode(data).decode(), mime_type="image/png"))
    return images


@kit.on_start
def _load_the_encoder() -> None:
    """The sentence encoder loaded before serving (≈ 2.5 s of CPU on an idle core): a worker's first getContent
    loaded it, more than 15 s under load, while callers of the same description waited on it (D167)."""
    get_encoder().encode_one("media library")


@kit.tool(scope="content:read", read_only=True, title="Find media by description", extra_content=_thumbnails)
def getContent(
    description: Annotated[str, Field(description="What you are looking for, in words (1 to 2,000 words).")],
    limit: Annotated[int, Field(description="How many results (1 to 50).")] = 5,
    media_type: Annotated[
        Literal["image", "video", "audio"] | None, Field(description="Only this kind of media.")
    ] = None,
) -> GetContentResult:
    """Find images, videos and audio in the media library by describing what you need in words. Each match
    comes with its description, hashtags, a similarity score and a thumbnail of each image, plus the
    hashtags that describe the whole set."""
    return default_service().get_content(description, limit, media_type, actor=current_caller().actor)


@kit.tool(
    scope="content:write",
    read_only=False,
    title="Create campaign messages",
    idempotent=False,
    destructive=False,
    invalidates=lambda args, result: [],
)  # stores requests/logs only: no cached media answer changes; each call writes new messages
def createCampaignMessages(
    campaign_description: Annotated[str, Field(description="The campaign: product, offer, tone (1 to 2,000 words).")],
    target_audiences: Annotated[
        list[str], Field(description="Target populations (1 to 10), e.g. ['new parents', 'gamers'].")
    ],
) -> CampaignMessagesResult:
    """Write three campaign messages for each target audience, grounded in the campaign description and in
    matching media of the library. The request and the messages are stored, and each call writes new ones."""
    return default_service().create_campaign_messages(
        campaign_description, target_audiences, actor=current_caller().actor
    )


@kit.prompt(title="Find content for a brief")
def find_content_for_brief(
    brief: Annotated[str, Field(description="The creative brief: product, message, tone, audience.")],
    media_type: Annotated[str | None, Field(description="Only 'image', 'video' or 'audio' (empty: any).")] = None,
    audience: Annotated[str | None, Field(description="Who the content is for, e.g. 'new parents'.")] = None,
) -> str:
    """Find media in the library that fits a creative brief, explain why each piece fits, and draft the
    messages to go with it."""
    kind = f', media_type "{media_type}"' if media_type else ""
    audiences = f"target_audiences [{audience!r}]" if audience else "the target audiences I name"
    return (
        f"Find content in the PromptContent library for this brief:\n\n{brief}\n\n"
        f"1. Call getContent with a description that captures the brief's subject, mood and setting{kind}, "
        "limit 8. Try a second, differently worded description if fewer than three results fit.\n"
        "2. Pick the three best pieces; for each, say in one line why it fits the brief and which hashtags to "
        "use (from the results).\n"
        f"3. Ask me before writing messages; then call createCampaignMessages with the brief as "
        f"campaign_description and {audiences}."
    )


@kit.completion("media_type")
def media_types(partial: str, context: Mapping[str, str]) -> list[str]:
    """The kinds of media in the library."""
    return ["image", "video", "audio"]
