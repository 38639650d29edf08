"""The PromptContent MCP server (SPEC C4, C5): ``getContent`` and ``createCampaignMessages``.

Thin layer over :class:`promptsales.content.service.ContentService`; everything else (auth, TLS,
audit, errors, structured output, the cache hook) comes from the kit. Run it with
``promptsales mcp serve content --transport stdio|http``.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from mcp_types import ImageContent
from pydantic import Field

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


@kit.tool(scope="content:read", read_only=True, title="Find media by description", extra_content=_thumbnails)
def getContent(
    description: Annotated[str, Field(description="What you are looking for, in words (1 to 2,000 words).")],
    limit: Annotated[int, Field(description="How many results (1 to 50).")] = 5,
    media_type: Annotated[
        Literal["image", "video", "audio"] | None, Field(description="Only this kind of media.")
    ] = None,
) -> GetContentResult:
    """The media whose descriptions best match `description` (cosine similarity in the pgvector index),
    with id, URI, description, hashtags and score, the hashtags that classify the result set, and a
    thumbnail of each image."""
    return default_service().get_content(description, limit, media_type, actor=current_caller().actor)


@kit.tool(
    scope="content:write", read_only=False, title="Create campaign messages", invalidates=lambda args, result: []
)  # stores requests/logs only: no cached media answer changes
def createCampaignMessages(
    campaign_description: Annotated[str, Field(description="The campaign: product, offer, tone (1 to 2,000 words).")],
    target_audiences: Annotated[
        list[str], Field(description="Target populations (1 to 10), e.g. ['new parents', 'gamers'].")
    ],
) -> CampaignMessagesResult:
    """Stores the request, retrieves context from the vector index, generates exactly three messages per
    target population (grounded in the campaign and the retrieved media), stores the log and returns it."""
    return default_service().create_campaign_messages(
        campaign_description, target_audiences, actor=current_caller().actor
    )
