"""The two byte-stream shapes a backup passes around: only what each side really calls.

A backup file is written through :class:`~promptsales.backup.crypto.EncryptingWriter` and read through
:class:`~promptsales.backup.crypto.DecryptingReader`; neither is a full file object (no seek, no tell), so
the producers and consumers of plaintext ask for these protocols instead of ``BinaryIO``.
"""

from __future__ import annotations

from typing import Protocol


class ByteSource(Protocol):
    """Something to read bytes from, ``size`` at most per call (``b""`` at the end)."""

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes."""
        ...


class ByteSink(Protocol):
    """Something to write bytes to."""

    def write(self, data: bytes, /) -> object:
        """Write all of ``data``."""
        ...
