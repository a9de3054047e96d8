"""A real JupyterLab driven by a real browser, for the tests/test_browser_*.py modules.

JupyterLab is served on 127.0.0.1 (a free port, a token) with throw-away config, data, runtime and
settings folders (the announcements extension disabled), and Debian's chromium is driven by
Playwright from pip (no browser download). Screenshots go to ``$DBM_ARTIFACTS`` (else a temporary
folder), never into the repository. A missing browser is a skip on a developer's machine and a
failure under DBM_REQUIRE_SERVERS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO, missing

CHROMIUM = os.environ.get("DBM_CHROMIUM", "/usr/bin/chromium")
DARK = "JupyterLab Dark"
LIGHT = "JupyterLab Light"


def require_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("playwright is not installed (pip install -e '.[browser]')")
    if not Path(CHROMIUM).exists():
        missing(f"no browser at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        missing("jupyterlab is not installed (pip install -e '.[browser]')")


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("DBM_ARTIFACTS") or Path(tempfile.gettempdir()) / "dbm-artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its URL, token and the folder it serves."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def set_theme(self, theme: str) -> None:
        raw = json.dumps({"theme": theme, "adaptive-theme": False})
        self.api("/lab/api/settings/@jupyterlab/apputils-extension:themes", "PUT", {"raw": raw})

    def wait_idle(self, name: str, timeout: float = 60) -> None:
        """Until the kernel of the session on notebook ``name`` reports idle (``/api/sessions``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sessions = [s for s in self.api("/api/sessions") if s["path"].endswith(name)]
            if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
                return
            time.sleep(0.25)
        raise AssertionError(f"the kernel of {name} did not become idle in {timeout}s")


def start_lab(root: Path, home: Path) -> Lab:
    token = os.urandom(12).hex()
    port = free_port()
    cfg = home / "config"
    (cfg / "labconfig").mkdir(parents=True, exist_ok=True)
    (cfg / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(cfg),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    log = (home / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"JupyterLab exited: {(home / 'lab.log').read_text()[-2000:]}")
        try:
            lab.api("/api/status")
            return lab
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise AssertionError(f"JupyterLab did not answer in 90s: {(home / 'lab.log').read_text()[-2000:]}")


def stop_lab(lab: Lab) -> None:
    lab.proc.terminate()
    try:
        lab.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        lab.proc.kill()


def write_notebook(path: Path, cells: list[str]) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


class Notebook:
    """One notebook open in the browser; every selector is scoped to its visible panel."""

    def __init__(self, page, lab: Lab, name: str) -> None:
        self.page, self.lab, self.name = page, lab, name

    @classmethod
    def open(cls, page, lab: Lab, name: str) -> Notebook:
        page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
        nb = cls(page, lab, name)
        nb.panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
        lab.wait_idle(name)
        return nb

    @property
    def panel(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def cell(self, index: int):
        return self.panel.locator(".jp-Notebook .jp-Cell").nth(index)

    def run(self, index: int, timeout: float = 60) -> None:
        """Select cell ``index``, run it (Shift+Enter is not needed: the toolbar's run), wait for idle."""
        self.cell(index).locator(".jp-InputArea-prompt").click()
        self.page.keyboard.press("Control+Enter")
        time.sleep(0.3)
        self.lab.wait_idle(self.name, timeout)

    def output(self, index: int):
        return self.cell(index).locator(".jp-OutputArea")

    def save(self, timeout: float = 30) -> dict:
        """Save with Ctrl+S and return the notebook as stored (once the file on disk has changed).
        The keys go to the notebook only while it has the focus: after a click on an output's button
        it may not, so the first cell is selected first, and the keys are pressed again every 5 s."""
        before = self.lab.api(f"/api/contents/{self.name}?content=0")["last_modified"]
        deadline = time.monotonic() + timeout
        pressed = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() - pressed > 5:
                self.cell(0).locator(".jp-InputArea-prompt").click()
                self.page.keyboard.press("Escape")
                self.page.keyboard.press("Control+s")
                pressed = time.monotonic()
            try:
                stored = self.lab.api(f"/api/contents/{self.name}")
            except urllib.error.HTTPError as exc:
                # Jupyter rewrites the file in place; a read that lands mid-write answers 500, or 400
                # ("Unreadable Notebook") when it parses the half-written JSON.
                if exc.code not in (400, 500):
                    raise
                time.sleep(0.25)
                continue
            if stored["last_modified"] != before:
                return stored["content"]
            time.sleep(0.25)
        raise AssertionError(f"{self.name} was not saved in {timeout}s")

    def shot(self, name: str) -> Path:
        path = artifacts_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path
