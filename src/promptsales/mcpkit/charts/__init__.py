"""Charts as MCP image content: a tool describes its answer as a :class:`~.spec.Chart` (line for time series,
bars for rankings and breakdowns, funnel for funnels); the kit renders it to a PNG in the one house style
(:mod:`.style`, :mod:`.render`) and caches the rendering next to the answer (:mod:`.content`).

Matplotlib is imported only when a chart is first rendered (``promptsales status`` and the stdio servers that
never draw do not pay for it).
"""
