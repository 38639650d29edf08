"""Failover drills of the HA profile (``promptsales drill run NAME``, docs/ha.md): a steady load of acknowledged
writes and MCP calls, one injected fault, and what the clients saw."""
