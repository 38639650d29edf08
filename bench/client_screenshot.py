"""The README's screenshot of a chart answer as a real MCP client displays it (issue 19): the official MCP
Inspector's web UI (npm ``@modelcontextprotocol/inspector``, the release pinned in
``promptsales.commands.mcp_config.INSPECTOR``) connected to the running sales server over streamable HTTP
(HTTPS, TLS 1.3, a bearer token from the local OAuth issuer), driven by a headless Chromium through Playwright:
connect, open ``askCampaignPerformance``, type the question, execute, and photograph the window with the
result panel (the answer, folded to its top-level keys where it is long, and the chart image as the
Inspector renders it) and the protocol log's ``tools/call`` request (the question sent). Writes
docs/images/chart-answer-inspector.png. Not a benchmark: ``bench/run_all.py`` skips it.

Needs ``PROMPTSALES_DATA_DIR`` with the servers up, data seeded (``--scale small`` is enough) and one ETL pass;
``npx`` (Node.js ≥ 20); Chromium (``apt-get install chromium fonts-symbola``: the second draws the UI's
symbol glyphs) and Python ``playwright`` (extra ``screenshot``; its own browser downloads are not needed: the
system Chromium, or ``PROMPTSALES_CHROMIUM``, is used). ``make screenshot`` installs the extra and runs it.

The token travels in a configuration file of a private temporary directory (mode 0600, removed at the end),
not on a command line; the Inspector keeps secrets in memory only and its web API is guarded by a random
token of this run.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from mcp_charts import AS_OF, QUESTION  # noqa: E402 — the same answer as the composed picture

IMAGE = ROOT / "docs" / "images" / "chart-answer-inspector.png"
CHROMIUM = os.environ.get("PROMPTSALES_CHROMIUM", "/usr/bin/chromium")
SERVER = "promptsales-sales"
TOOL = "askCampaignPerformance"
VIEWPORT = {"width": 1600, "height": 1000}
STARTUP_TIMEOUT = 240  # s; the first run downloads the package into npm's cache
#: Keys of the answer's JSON whose long contents are folded in the screenshot so the chart shows beside it.
FOLD = ("understood", "rows", "parameters")
LOG_WIDER = 220  # CSS px the protocol log is widened by


def inspector_config(directory: Path, url: str, token: str) -> Path:
    """An Inspector configuration naming the sales server's streamable-HTTP endpoint with its bearer header,
    written with mode 0600 into ``directory``."""
    path = directory / "inspector.json"
    server = {"type": "streamable-http", "url": url, "headers": {"Authorization": f"Bearer {token}"}}
    path.touch(mode=0o600)
    path.write_text(json.dumps({"mcpServers": {SERVER: server}}, indent=2))
    return path


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def inspector_env(ca_cert: Path, storage: Path, port: int, api_token: str) -> dict[str, str]:
    """The Inspector web server's environment: our CA trusted, secrets in memory, state in ``storage``, a fixed
    port and API token, no browser opened."""
    return {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ca_cert),
        "MCP_INSPECTOR_SECRET_STORE": "memory",
        "MCP_STORAGE_DIR": str(storage),
        "CLIENT_PORT": str(port),
        "MCP_SANDBOX_PORT": "0",
        "MCP_INSPECTOR_API_TOKEN": api_token,
        "MCP_AUTO_OPEN_ENABLED": "false",
        "npm_config_update_notifier": "false",
    }


@contextmanager
def inspector_web(config: Path, env: dict[str, str]):
    """Run the Inspector's web UI on ``config``'s sales server; yields the URL it serves (with its API token).
    The process group it starts is ended on exit."""
    from promptsales.commands.mcp_config import INSPECTOR

    npx = shutil.which("npx")
    if not npx:
        raise SystemExit("npx (Node.js with npm) is required: apt-get install nodejs npm")
    log = config.with_name("inspector.log")
    with log.open("w") as out:
        process = subprocess.Popen(
            [npx, "-y", INSPECTOR, "--web", "--config", str(config), "--server", SERVER],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (found := re.search(r"https?://\S+MCP_INSPECTOR_API_TOKEN=\S+", log.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the MCP Inspector did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield found.group(0)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # npx, the launcher and the web server it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fold_answer(page: Any) -> None:
    """Fold the long members of the first JSON block of the result (the answer's text content) with the
    editor's own fold buttons, as a reader would, so the answer and its chart fit one window."""
    editor = page.locator(".ace_editor").first
    lines = editor.evaluate("e => e.env.editor.session.getValue().split('\\n')")
    for key in FOLD:
        row = next((i + 1 for i, line in enumerate(lines) if line.startswith(f'  "{key}": ')), None)
        if row is not None:
            editor.locator(f'[aria-label^="Toggle code folding, rows {row} through"]').click()


def widen_log(page: Any) -> None:
    """Drag the protocol log's resize handle left so its request shows the whole question."""
    handle = page.get_by_label("Resize monitoring sidebar").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - LOG_WIDER, y, steps=10)
    page.mouse.up()


def save(png: bytes, out: Path) -> None:
    """Write the screenshot as a 256-colour PNG (a UI has few colours; a third of the true-colour size)."""
    from PIL import Image

    out.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(io.BytesIO(png)) as shot:
        shot.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(out, optimize=True)


def photograph(ui_url: str, out: Path) -> dict[str, Any]:
    """Drive the Inspector: connect, call the tool with the question, fold the answer, show the request in the
    protocol log, screenshot the window into ``out``. Returns what the page displayed (for checks)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=2)
            page.goto(ui_url)
            page.get_by_role("switch", name=f'Connect or disconnect "{SERVER}"').check(force=True)
            page.get_by_text("Connected", exact=True).wait_for(timeout=120_000)
            page.get_by_text("Tools", exact=True).click()
            page.get_by_text(TOOL, exact=True).click(timeout=120_000)
            page.get_by_role("textbox").nth(1).fill(QUESTION)  # Question (the first box searches the tools)
            page.get_by_role("textbox").nth(2).fill(AS_OF)  # As Of
            page.get_by_role("button", name="Execute Tool").click()
            chart = page.locator("img[src^='data:image/png']")
            chart.wait_for(timeout=120_000)
            fold_answer(page)
            widen_log(page)
            page.get_by_label("Expand").first.click()  # the newest protocol entry: this tools/call
            chart.scroll_into_view_if_needed()
            page.mouse.move(0, VIEWPORT["height"] - 1)  # no hover tooltip in the picture
            page.wait_for_timeout(500)
            save(page.screenshot(), out)
            return {
                "natural_width": chart.evaluate("i => i.complete ? i.naturalWidth : 0"),
                "shown_width": chart.evaluate("i => i.getBoundingClientRect().width"),
                "answer": page.locator(".ace_editor").first.evaluate("e => e.env.editor.session.getValue()"),
            }
        finally:
            browser.close()


def main() -> None:
    """Start the Inspector on the running sales server, photograph a chart answer, check and report it."""
    from promptsales.config import get_settings
    from promptsales.runtime.state import StateFile
    from promptsales.runtime.tls import ensure_tls
    from promptsales.testing import token_for

    settings = get_settings()
    port = StateFile(settings.data_path).get("mcp-sales").get("port")
    if not port:
        raise SystemExit("mcp-sales is not running: PROMPTSALES_DATA_DIR=… promptsales up (and seed, etl run)")
    token = token_for(settings, "portal", ["sales:read"])
    with tempfile.TemporaryDirectory(prefix="inspector-") as private:
        config = inspector_config(Path(private), f"https://127.0.0.1:{port}/mcp", token)
        env = inspector_env(ensure_tls(settings).ca_cert, Path(private) / "storage", free_port(), secrets.token_hex(16))
        with inspector_web(config, env) as ui_url:
            shown = photograph(ui_url, IMAGE)
    answer = json.loads(shown["answer"])
    if not shown["natural_width"] or not answer.get("answerable"):
        raise SystemExit(f"no chart answer was displayed: {shown['natural_width']=}, {answer.get('answer')!r}")
    print(
        f"{IMAGE.relative_to(ROOT)}: {IMAGE.stat().st_size / 1024:.0f} KB; chart {shown['natural_width']} px wide, "
        f"shown {shown['shown_width']:.0f} CSS px wide; answer: {answer['answer'][:100]}…"
    )


if __name__ == "__main__":
    main()
