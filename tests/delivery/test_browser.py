"""A real browser (Debian's Chromium driven by Playwright) on what learners and HR use.

* JupyterLab as ``competency lab`` starts it (:func:`competency.course.lab.lab_command`), on a
  copy of module 1: run all cells, answer a practice question and read its feedback, see
  a ``check()`` message, press nbgrader's Validate and read its result.
* Voilà as ``competency dashboard`` starts it (:func:`competency.coverage.dashboard.voila_command`):
  the HR job-description mapping notebook and the coverage dashboard with its heatmap.

Assertions are on the page; screenshots are kept as artifacts in a temporary folder
(printed at the end of each test; pytest keeps the last three runs' folders).
Chromium comes from Debian (``apt-get install chromium``, .ci/browser.sh), never from
``playwright install``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest
import requests

from competency.course.lab import LabSettings, free_port, lab_command
from competency.course.widgets import SHORT_LABEL, load_practice
from competency.coverage.dashboard import DashboardSettings, voila_command
from conftest import COURSE, REPO, wait, wait_ms

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CCT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MODULE = "01-equality-law"
SOURCE = COURSE / "source" / MODULE / f"{MODULE}.ipynb"
HR = REPO / "notebooks" / "hr"
SLOW = wait_ms(180)  # running a whole module, or Voilà executing a notebook
IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
LAB_SETTINGS = {
    # Every cell in the DOM, and no news or update toasts over the page.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def isolated_env(root: Path) -> dict[str, str]:
    """The environment for a server: Jupyter's user folders under ``root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    settings = root / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), "utf-8")
    env.update(JUPYTER_PLATFORM_DIRS="1", JUPYTER_CONFIG_DIR=str(root / "config"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
               JUPYTER_DATA_DIR=str(root / "data"), IPYTHONDIR=str(root / "ipython"),
               MPLCONFIGDIR=str(root / "matplotlib"), TMPDIR=str(root))
    return env


def answers(url: str) -> bool:
    """Whether the server behind ``url`` answers (any HTTP status)."""
    try:
        requests.head(url, timeout=wait(5))
    except requests.RequestException:
        return False
    return True


def serve(argv: list[str], cwd: Path, env: dict[str, str], ready_url: str,
          log: Path) -> subprocess.Popen[bytes]:
    """Start a server and wait until it answers at ``ready_url``."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    end = time.monotonic() + wait(120)
    while time.monotonic() < end and process.poll() is None:
        if answers(ready_url):
            return process
        time.sleep(0.5)
    stop(process)
    pytest.fail(f"{argv[2]} did not start:\n{log.read_text('utf-8', 'replace')[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=wait(30))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's (`. .ci/browser.sh` as "
                    "root does) or point CCT_CHROMIUM at one; never `playwright install`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder screenshots are kept in (an artifact of the run)."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)


@pytest.fixture
def page(browser: Browser, shots: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(wait_ms(60))
    yield page
    page.screenshot(path=str(shots / f"{request.node.name}-end.png"), full_page=True)
    print(f"screenshots: {shots}")
    context.close()


def screenshot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab."""

    url: str
    """Its base URL."""
    token: str
    """Its access token."""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab as ``competency lab`` starts it, on a copy of the course; yields its URL."""
    root = tmp_path_factory.mktemp("lab")
    course = root / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / MODULE, course / "source" / MODULE,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    token = secrets.token_hex(16)
    settings = LabSettings(root=root, course=course, port=free_port("127.0.0.1", 9000),
                           token=token)
    base = f"http://127.0.0.1:{settings.port}"
    process = serve(lab_command(settings), root, isolated_env(tmp_path_factory.mktemp("home")),
                    f"{base}/api/status?token={token}", root / "lab.log")
    try:
        yield Lab(base, token)
    finally:
        stop(process)


def module_questions() -> tuple[list[str], list[str]]:
    """Module 1's check()ed and practice questions, in notebook order."""
    code = "\n".join(cell.source for cell in nbformat.read(SOURCE, as_version=4).cells
                     if cell.cell_type == "code")
    return re.findall(r'check\("(\w+)"\)', code), re.findall(r'practice\("(\w+)"\)', code)


KERNEL = """() => {
    const name = document.querySelector(
        '.jp-NotebookPanel-toolbar [data-jp-item-name="kernelName"]');
    return name !== null && name.innerText.includes("Python");
}"""
STARTED = """() => {
    const prompt = document.querySelector(".jp-CodeCell .jp-InputPrompt");
    return prompt !== null && /\\[(\\*|\\d+)\\]/.test(prompt.innerText);
}"""


def answer_dialogs(page: Page) -> None:
    """Answer any dialog JupyterLab has open, saying which, so that clicks reach the page.

    On a busy machine the notebook's kernel may not be connected in time and JupyterLab
    asks which kernel to start, offering "No Kernel" first: choose the Python kernel.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    dialogs = page.locator(".jp-Dialog")
    for _ in range(5):
        if dialogs.count() == 0:
            return
        dialog = dialogs.first
        text = " ".join(dialog.inner_text().split())
        choice = dialog.locator("select")
        if choice.count():
            labels = choice.first.locator("option").all_inner_texts()
            python = next((label for label in labels if label.startswith("Python")), None)
            if python is not None:
                choice.first.select_option(label=python)
        print(f"JupyterLab dialog answered: {text!r}")
        accept = dialog.locator(".jp-Dialog-button.jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            page.keyboard.press("Escape")
        with contextlib.suppress(PlaywrightTimeout):
            dialog.wait_for(state="detached", timeout=wait_ms(20))


def run_all(page: Page) -> None:
    """Run all cells; again if the first did not start (on a busy machine the kernel
    indicator can read idle before the notebook is connected, and the run is dropped)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        answer_dialogs(page)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(STARTED, timeout=wait_ms(15))
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            print(f"Run All Cells did not start (attempt {attempt + 1}); again")


def test_learner_runs_module_1_answers_practice_and_validates(
        lab: Lab, page: Page, shots: Path) -> None:
    notebook = f"course/source/{MODULE}/{MODULE}.ipynb"
    page.goto(f"{lab.url}/lab/tree/{notebook}?reset&token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=SLOW)
    page.wait_for_selector(IDLE, timeout=SLOW)  # the kernel is up
    answer_dialogs(page)
    page.wait_for_function(KERNEL, timeout=SLOW)  # and the notebook is connected to it

    checked, practices = module_questions()
    run_all(page)
    last_check = page.locator(".jp-OutputArea-output", has_text=f"{checked[-1]} is complete")
    last_check.wait_for(timeout=SLOW)
    page.wait_for_selector(IDLE, timeout=SLOW)
    assert page.locator(".jp-OutputArea-output.jp-RenderedText[data-mime-type="
                        '"application/vnd.jupyter.stderr"]').count() == 0
    screenshot(page, shots, "run-all")

    # A check() message under a graded question.
    message = page.locator(".jp-OutputArea-output", has_text=f"{checked[0]} is complete").first
    assert "Your mark is decided when your work is graded" in message.inner_text()

    # The first practice question: a wrong choice first, then the right one.
    assert page.locator(".cct-practice").count() == len(practices)
    question = load_practice(SOURCE.parent / "questions.yaml")[practices[0]]
    assert not question.multiple  # one choice: radio buttons
    (right,) = question.answer
    wrong = next(key for key in question.options if key not in question.answer)
    practice = page.locator(".cct-practice").first
    practice.scroll_into_view_if_needed()
    feedback = practice.locator(".cct-feedback")

    def option(key: str) -> Any:
        """The radio button's label: the option's text, or its letter when options are long."""
        long_options = any(len(v) > SHORT_LABEL for v in question.options.values())
        if long_options:
            assert question.options[key][:40] in practice.inner_text()  # listed as text
            return practice.locator("label", has_text=re.compile(rf"^\s*{key}\s*$"))
        return practice.locator("label", has_text=question.options[key][:40])

    option(wrong).click()
    practice.get_by_role("button", name="Check").click()
    page.wait_for_function("el => el.innerText.includes('Not quite.')",
                           arg=feedback.element_handle())
    option(right).click()
    practice.get_by_role("button", name="Check").click()
    page.wait_for_function("el => el.innerText.includes('Correct.')",
                           arg=feedback.element_handle())
    assert question.explanation[:40] in feedback.inner_text()
    screenshot(page, shots, "practice")

    # nbgrader's Validate button saves the notebook and runs its tests.
    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(timeout=SLOW)
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    screenshot(page, shots, "validate")
    dialog.get_by_role("button", name="Ok").click()


def assert_no_code_shown(page: Page, code: str) -> None:
    """Voilà shows outputs and Markdown only: no code cell, no line of the code."""
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt").count() == 0
    assert page.get_by_text(code).count() == 0


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[Any]:
    """Start Voilà as ``competency dashboard`` does, on a copy of a notebook of notebooks/hr."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> str:
        folder = tmp_path / "hr"
        folder.mkdir(exist_ok=True)
        notebook = Path(shutil.copy(HR / name, folder / name))
        settings = DashboardSettings(notebook=notebook, port=free_port("127.0.0.1", 9100),
                                     token=secrets.token_hex(16))
        url = f"http://127.0.0.1:{settings.port}/?token={settings.token}"
        processes.append(serve(voila_command(settings), folder,
                               isolated_env(tmp_path / "home"),
                               f"http://127.0.0.1:{settings.port}/voila/static/",
                               tmp_path / f"{name}.log"))
        return url

    yield start
    for process in processes:
        stop(process)


def test_coverage_dashboard_renders_its_heatmap_under_voila(
        voila: Any, page: Page, shots: Path) -> None:
    page.goto(voila("coverage-dashboard.ipynb"), timeout=SLOW)
    heatmap = page.locator(".widget-image, img").first
    heatmap.wait_for(timeout=SLOW)
    page.wait_for_function("img => img.complete && img.naturalWidth > 100",
                           arg=heatmap.element_handle(), timeout=SLOW)
    assert page.get_by_text("Share met by role and competency").is_visible()
    assert page.get_by_text("Requirements by competency and status").is_visible()
    assert page.locator("table").count() >= 1
    assert_no_code_shown(page, "config_dashboard()")
    assert page.get_by_text("Data: ").first.is_visible()  # which organisation it shows
    screenshot(page, shots, "dashboard")


def test_job_description_mapping_notebook_works_under_voila(
        voila: Any, page: Page, shots: Path, tmp_path: Path) -> None:
    page.goto(voila("map-job-descriptions.ipynb"), timeout=SLOW)
    page.get_by_text("suggested competencies at threshold").wait_for(timeout=SLOW)
    assert page.locator("mark[title]").count() > 0  # the JD's evidence, highlighted
    assert_no_code_shown(page, "from competency.hr.suggest import")

    # Reject the first suggestion and record the decision, as an HR partner would.
    first = page.locator(".widget-toggle-buttons").first
    first.get_by_role("button", name="reject").click()
    assert "mod-active" in (first.get_by_role("button", name="reject")
                            .get_attribute("class") or "")
    page.get_by_placeholder("your name").fill("HR partner")
    page.get_by_role("button", name="Record decisions").click()
    page.get_by_text("recorded in").wait_for(timeout=SLOW)
    screenshot(page, shots, "mapping")
    log = tmp_path / "hr" / "output" / "decisions.csv"
    assert log.is_file()
    assert ",reject," in log.read_text("utf-8")
    assert "HR partner" in log.read_text("utf-8")
