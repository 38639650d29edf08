"""Files under the data directory that remember ports, pids and generated secrets."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from pathlib import Path
from typing import Any


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _write_json(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


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
        """Merge values into one service's record and save."""
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = _read_json(self.path)
            if name not in data:
                data[name] = secrets.token_urlsafe(24)
                _write_json(self.path, data, mode=0o600)
            return data[name]
