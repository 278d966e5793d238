"""JupyterLab in a real browser: start JupyterLab, open notebook 00 in headless Chromium, run all
cells from the Run menu, wait for the result line, save, screenshot, and check there is no error.

Playwright drives an installed Chromium (no browser download): ``$CHROMIUM`` or ``chromium`` on the PATH.
Without one the test is skipped, except in CI (``CI=true``), where ``.ci/run`` installs Debian's Chromium and the
test is required. The notebook runs on a copy, with results and data in a temporary folder; nothing committed changes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "00_welcome_and_setup.ipynb"
EXPECTED = "test accuracy >= 0.90: True"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOT = ROOT / "tests" / "artifacts" / "notebook00.png"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

EVERY_CELL_HAS_RUN = """() => {
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(prompt => /^\\[\\d+\\]:$/.test(prompt.textContent.trim()));
}"""
"""True once every code cell shows an execution count ("[7]:"), none still waiting ("[*]:") or unrun ("[ ]:")."""

if not CHROMIUM and not IN_CI:
    pytest.skip("no Chromium found (set CHROMIUM=/path/to/chromium to run the browser test)", allow_module_level=True)
if IN_CI:
    import playwright.sync_api as playwright_sync  # required in CI
else:
    playwright_sync = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url} within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict[str, object]]:
    """JupyterLab on 127.0.0.1 serving a copy of notebook 00 (outputs cleared, so they must be re-made)."""
    if not CHROMIUM or not Path(CHROMIUM).is_file():
        pytest.fail(f"CI=true but no Chromium found ({CHROMIUM or 'not on the PATH'}): .ci/run installs Debian's")
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "utils").symlink_to(ROOT / "utils", target_is_directory=True)  # the set-up cell finds the course here
    notebook = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, course / "notebooks" / NOTEBOOK)

    # A fresh user-settings folder; never fetch news (no network; no toast over the notebook).
    notification = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")

    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "COURSE_RESULTS_DIR": str(tmp_path / "results"), "COURSE_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    log = tmp_path / "jupyterlab.log"
    command = [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if not Path(command[0]).is_file():
        command[0] = shutil.which("jupyter") or command[0]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=course, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/api/status?token={token}", server, log)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/notebooks/{NOTEBOOK}?token={token}",
               "notebook": course / "notebooks" / NOTEBOOK, "results": tmp_path / "results", "log": log,
               "user_data": tmp_path / "chromium-profile"}
    finally:
        # Clean shutdown (kernels too); the process group is ours alone, so SIGTERM to it is safe.
        if server.poll() is None:
            try:
                urllib.request.urlopen(urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/shutdown?token={token}", method="POST"), timeout=5).close()
                server.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def _saved_code_cells(path: Path, seconds: float = 30) -> list[nbformat.NotebookNode]:
    """The code cells of the notebook as saved by JupyterLab (waiting for the save to land on disk)."""
    deadline = time.monotonic() + seconds
    while True:
        code = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
        if all(cell.execution_count for cell in code) or time.monotonic() > deadline:
            return code
        time.sleep(0.5)


def test_notebook_00_runs_in_jupyterlab_in_a_real_browser(lab: dict[str, object]) -> None:
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(lab["user_data"]), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        page = browser.pages[0] if browser.pages else browser.new_page()
        try:
            page.set_default_timeout(60_000)
            page.goto(str(lab["url"]))
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
            # A first visit asks which kernel to start, as it does for a learner: accept "Python 3 (ipykernel)".
            choose_kernel = page.locator(".jp-Dialog .jp-mod-accept")
            try:
                choose_kernel.wait_for(timeout=30_000)
                choose_kernel.click()
            except playwright_sync.TimeoutError:
                pass  # this JupyterLab started the kernel without asking
            page.locator(".jp-Dialog").wait_for(state="detached")
            # The kernel must be up before "Run All" (otherwise the cells queue behind its start-up).
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(state="attached")

            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator("#jp-mainmenu-run .lm-Menu-item[data-command='runmenu:run-all']").click()  # "Run All Cells"

            result = page.locator(".jp-OutputArea-output", has_text=EXPECTED)
            result.wait_for(state="attached", timeout=600_000)  # notebook 00 trains for about 1.5 min
            page.wait_for_function(EVERY_CELL_HAS_RUN, timeout=60_000)
            page.keyboard.press("Control+s")
            page.locator(".lm-TabBar-tab.jp-mod-dirty").wait_for(state="detached", timeout=30_000)  # saved

            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'], "
                                  ".jp-OutputArea-output:has-text('Traceback (most recent call last)')")
            assert errors.count() == 0, errors.first.inner_text()[:2000]
            result.scroll_into_view_if_needed()
            page.mouse.move(0, 0)  # no hover tooltips in the picture
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
        except BaseException:
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT.with_name("notebook00-failure.png")))
            raise
        finally:
            browser.close()

    assert SCREENSHOT.stat().st_size > 20_000, "the screenshot looks empty"
    code = _saved_code_cells(Path(lab["notebook"]))
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), "every cell ran, in order"
    assert not [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert any(EXPECTED in out.get("text", "") for cell in code for out in cell.outputs)
    assert (Path(lab["results"]) / "00_welcome_and_setup.json").is_file(), "results go to the temporary folder"
