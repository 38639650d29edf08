"""Encrypted backups of every PromptSales database (SPEC N3, N4, R6).

``promptsales backup run|list|verify|prune|restore``: PostgreSQL dumps (pg_dump custom format), the
PromptContent MongoDB documents (canonical Extended JSON lines) and the media store (tar), each streamed
through AES-256-GCM into a backup directory, with an authenticated manifest. See ``docs/backup.md``.
"""
