"""Build FerretDB v1 from the Go module proxy when no MongoDB-protocol server is installed.

``go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`` builds a binary that panics at start
(its module ships without ``build/version/version.txt``). So we download the same module with
``go mod download``, add the version file the project's own build task would generate, and build it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from promptsales.errors import UserError

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"


def cache_dir() -> Path:
    """Where built tools are kept across data directories (``$XDG_CACHE_HOME/promptsales/bin``)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "promptsales" / "bin"


def cached_binary() -> Path:
    """Path of the FerretDB binary this module builds."""
    return cache_dir() / f"ferretdb-{FERRETDB_VERSION}"


def build_ferretdb() -> Path:
    """Download and build FerretDB with Go; returns the binary path. Raises UserError without Go."""
    target = cached_binary()
    if target.exists():
        return target
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        raise UserError(
            "No MongoDB-protocol server found and Go is not installed to build FerretDB. Install MongoDB "
            "(mongod on PATH) or Go, or set PROMPTSALES_CONTENT_MONGO_URL to your own MongoDB."
        )
    try:
        download = subprocess.run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        module_dir = Path(json.loads(download.stdout)["Dir"])
        with tempfile.TemporaryDirectory(prefix="ferretdb-src-") as workdir:
            source = Path(workdir) / "src"
            shutil.copytree(module_dir, source)
            for path in [source, *source.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
            (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            subprocess.run(
                [go, "build", "-trimpath", "-o", str(partial), "./cmd/ferretdb"],
                cwd=source,
                check=True,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            partial.replace(target)
    except subprocess.CalledProcessError as error:
        raise UserError(f"Building FerretDB failed: {error.stderr.strip()[-2000:]}") from error
    return target


if __name__ == "__main__":
    print(build_ferretdb())
