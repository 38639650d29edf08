"""The media store (``<data_dir>/media``, content-addressed files) as a tar stream, and its restore."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from pathlib import Path
from typing import Any

from promptsales.backup.streams import ByteSink, ByteSource
from promptsales.errors import UserError


def media_dir(data_dir: Path) -> Path:
    """Where PromptContent keeps media files."""
    return data_dir / "media"


def archive_media(source: Path, sink: ByteSink) -> dict[str, Any]:
    """Write a tar stream of every regular file under ``source`` (sorted, relative names) to ``sink``."""
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink()) if source.is_dir() else []
    total = 0
    # typeshed wants a full file object (read, write, seek, tell, close) in every mode; the stream modes
    # "w|" and "r|" only call write() or read() on it, which is all an EncryptingWriter/DecryptingReader has.
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
        for path in files:
            tar.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
            total += path.stat().st_size
    return {"files": len(files), "bytes": total}


def extract_media(stream: ByteSource, target: Path, replace: bool = False) -> dict[str, Any]:
    """Extract a media tar stream into ``target`` through a temporary folder renamed at the end."""
    if target.exists() and any(target.iterdir()) and not replace:
        raise UserError(f"The target media store {target} is not empty; pass --replace to overwrite it.")
    staging = target.with_name(target.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    count = 0
    try:
        # typeshed over-asks for a stream mode, see archive_media
        with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
            for member in tar:
                tar.extract(member, staging, filter="data")
                count += member.isfile()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return {"files": count}


def tree_digest(root: Path) -> dict[str, str]:
    """``relative path → sha256`` of every file under ``root`` (used to compare media stores)."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
