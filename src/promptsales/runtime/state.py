"""Files under the data directory that remember ports, pids and generated secrets."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return json.loads(path.read_text())


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers never see half a file.

    The temporary file is unique to the call, so two threads (or processes) writing the same path at once
    each rename a whole file of their own: the last rename wins and neither fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_json(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True).encode(), mode)


class StateFile:
    """Ports and pids of the embedded servers (``<data_dir>/state.json``)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "state.json"

    def load(self) -> dict[str, Any]:
        """Everything recorded so far."""
        return _read_json(self.path)

    def get(self, service: str) -> dict[str, Any]:
        """The record of one service (empty when unknown)."""
        return dict(self.load().get(service, {}))

    def update(self, service: str, **values: Any) -> dict[str, Any]:
        """Merge values into one service's record and save (under a lock: processes update it concurrently)."""
        with file_lock(self.path.with_suffix(".lock")):
            data = self.load()
            record = dict(data.get(service, {}))
            record.update(values)
            data[service] = record
            _write_json(self.path, data)
        return record


class Secrets:
    """Generated credentials (``<data_dir>/secrets.json``, mode 0600); created on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "secrets.json"

    def get(self, name: str) -> str:
        """The secret called ``name``, generating and saving a random one the first time.

        Creation holds an exclusive lock on ``secrets.lock`` so that concurrent processes (MCP servers,
        the issuer, tests) agree on one value and never race on the temporary file.
        """
        data = _read_json(self.path)
        if name in data:
            return data[name]
        with file_lock(self.path.with_suffix(".lock")):
            data = _read_json(self.path)
            if name not in data:
                data[name] = secrets.token_urlsafe(24)
                _write_json(self.path, data, mode=0o600)
            return data[name]
