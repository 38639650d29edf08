"""Failover drills of the HA profile (``promptsales drill run NAME``, docs/ha.md): a steady load of acknowledged
writes and MCP calls, one injected fault, and what the clients saw."""

#: The drills' names (``promptsales.drills.run.DRILLS`` holds them with their functions): the CLI names them in its
#: help without importing the drills, whose MCP client costs every ``promptsales`` command ≈ 0.8 s to import.
DRILL_NAMES: tuple[str, ...] = ("pg-failover", "pg-partition", "valkey-failover", "content-failover")
