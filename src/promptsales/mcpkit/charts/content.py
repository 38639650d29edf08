"""A chart as MCP image content, rendered once per distinct chart and kept in the shared cache.

The rendering is cached like the tools' answers (:meth:`promptsales.cache.core.Cache.fetch`: cache-aside with
single-flight, the company's generation counter in the key, so the ETL pass or write that invalidates an
answer retires its chart too), under the answer's company and cache kind, keyed by the chart's digest — what
it shows. A cached answer therefore comes back with its cached chart, and with Valkey down the chart is
rendered from the answer.
"""

from __future__ import annotations

import base64

from mcp_types import Annotations, ImageContent

from promptsales.cache.core import CacheSpec
from promptsales.cache.instances import get_cache
from promptsales.cache.keys import COMPANIES
from promptsales.mcpkit.charts.spec import Chart

MIME_TYPE = "image/png"


def chart_image(company: str, tool: str, kind: str, chart: Chart) -> ImageContent:
    """MCP image content for ``tool``'s chart, shown to the person (audience ``user``) next to the structured
    answer: the PNG from the cache, or rendered now and published (a ``company`` outside the cached ones:
    rendered every time)."""
    from promptsales.mcpkit.charts.render import render_png

    def render() -> str:
        return base64.b64encode(render_png(chart)).decode("ascii")

    if company in COMPANIES:
        data = get_cache().fetch(CacheSpec(company, f"{tool}.chart", kind), {"chart": chart.digest()}, render).value
    else:
        data = render()
    return ImageContent(
        type="image", data=data, mime_type=MIME_TYPE, annotations=Annotations(audience=["user"], priority=0.8)
    )
