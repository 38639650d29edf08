"""Connections, roles and migrations for the PostgreSQL databases of every company."""
