"""The high-availability profile of the runtime (``promptsales up --profile ha``, docs/ha.md): PostgreSQL
replicated and failed over by Patroni with etcd as its consensus store, FerretDB on that PostgreSQL, and
Valkey with a replica and three Sentinels."""
