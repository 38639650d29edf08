"""A writer that runs next to one PostgreSQL node (inside its network namespace) and talks to that node only.

``python -m promptsales.drills.local_writer CONNINFO RUN OUT`` inserts ``(run, seq)`` rows every 50 ms and
appends one JSON line per outcome to ``OUT``: ``{"started": wall-clock seconds the INSERT was sent, "t": when its
outcome came back, "ok": bool, "error": "…"}``. The
partition drill runs it beside the leader it cuts off: it shows whether that node still acknowledged writes
after the cut, and when it stopped (demoted by Patroni). It stops when killed.
"""

from __future__ import annotations

import json
import sys
import time

import psycopg


def main(conninfo: str, run: str, out: str) -> None:
    """Write until killed, one outcome per line."""
    sequence, conn = 0, None
    with open(out, "a", buffering=1) as log:
        while True:
            sequence += 1
            started = time.time()
            try:
                if conn is None:
                    conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=2)
                conn.execute("INSERT INTO writes (run, seq) VALUES (%s, %s)", (f"{run}:local", sequence))
                log.write(json.dumps({"started": started, "t": time.time(), "ok": True}) + "\n")
            except psycopg.Error as error:
                text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                log.write(json.dumps({"started": started, "t": time.time(), "ok": False, "error": text[:200]}) + "\n")
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.2)
            time.sleep(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:4])
