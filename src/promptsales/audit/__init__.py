"""The central audit (SPEC N4, issue 23): one table, ``portal.audit_log`` in the PromptSales database, that every
service writes to — MCP calls, PII reveals, admin CLI actions, key-store operations, backups and restores, role and
grant changes, privacy requests, tokens issued.

* :mod:`promptsales.audit.trail` — :func:`~promptsales.audit.trail.record`, off the hot path (the batched writer);
* :mod:`promptsales.audit.verify` — the hash chain of each daily partition recomputed (``promptsales audit verify``);
* :mod:`promptsales.audit.search` — who did what, when (``promptsales audit search``);
* :mod:`promptsales.audit.maintain` — partitions ahead, seals of closed days, 90-day retention by dropping
  partitions (``promptsales audit maintain``, the Dagster job ``audit_maintenance``).
"""
