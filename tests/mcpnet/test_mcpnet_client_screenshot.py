"""The pieces of ``bench/client_screenshot.py`` (the README's MCP Inspector screenshot, issue 19) that need no
browser: the Inspector configuration it writes and the environment it runs the Inspector in reach the sales
server over HTTPS + OAuth (the Inspector's CLI, same package and configuration loader as its web UI, calls the
question and gets the chart), and its web UI starts on that configuration, serves its page only with the run's
API token and is gone after the run. The browser part (Chromium, Playwright) runs only with ``make screenshot``.
Node.js/npx is required, as for ``test_mcpnet_inspector.py``."""

from __future__ import annotations

import base64
import importlib.util
import json
import shutil
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from promptsales.commands.mcp_config import INSPECTOR
from promptsales.runtime.tls import ensure_tls

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "client_screenshot.py"


@pytest.fixture(scope="module")
def screenshot():
    """The script as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("client_screenshot", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("client_screenshot", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def configured(screenshot, network, tmp_path):
    """(config path, environment, api token) as the script prepares them for the test network's sales server."""
    assert shutil.which("npx"), "npx (Node.js with npm) is required; .ci/run installs nodejs and npm"
    config = screenshot.inspector_config(tmp_path, network.url("sales"), network.token("inspector", ["sales:read"]))
    api_token = "t" * 32
    env = screenshot.inspector_env(ensure_tls(network.settings).ca_cert, tmp_path / "storage", 0, api_token)
    return config, env, api_token


def test_client_screenshot_config_reaches_sales_with_a_chart(screenshot, configured):
    """The 0600 configuration (bearer header inside) and the environment (our CA) let the Inspector call
    askCampaignPerformance with the script's question: a text block, then a decodable PNG image block."""
    config, env, _ = configured
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    done = subprocess.run(
        [shutil.which("npx") or "npx", "-y", INSPECTOR, "--cli", "-q", "--format", "json", "--config", str(config),
         "--server", screenshot.SERVER, "--method", "tools/call", "--tool-name", screenshot.TOOL,
         "--tool-args-json", json.dumps({"question": screenshot.QUESTION, "as_of": screenshot.AS_OF})],
        env=env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    content = json.loads(done.stdout)["result"]["content"]
    assert [block["type"] for block in content] == ["text", "image"]
    assert json.loads(content[0]["text"])["answerable"] is True
    assert base64.b64decode(content[1]["data"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_client_screenshot_web_ui_starts_guarded_and_stops(screenshot, configured):
    """inspector_web serves the Inspector's page on the chosen port, refuses its API without the run's token,
    lists the configured sales server with it, and leaves nothing listening once the context ends."""
    config, env, api_token = configured
    port = screenshot.free_port()
    env["CLIENT_PORT"] = str(port)
    with screenshot.inspector_web(config, env) as ui_url:
        assert f"127.0.0.1:{port}" in ui_url and api_token in ui_url
        with urllib.request.urlopen(ui_url, timeout=30) as page:
            assert page.status == 200 and "<html" in page.read().decode().lower()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/config", timeout=30)
        assert refused.value.code == 401
        listed = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/servers", headers={"x-mcp-remote-auth": f"Bearer {api_token}"}
        )
        with urllib.request.urlopen(listed, timeout=30) as servers:
            assert screenshot.SERVER in servers.read().decode()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
