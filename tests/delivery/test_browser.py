"""A real browser (Debian's Chromium driven by Playwright) on what learners and HR use.

* JupyterLab as ``competency lab`` starts it (:func:`competency.course.lab.lab_command`), on a
  copy of module 1: run all cells, answer a practice question and read its feedback, see
  a ``check()`` message, press nbgrader's Validate and read its result.
* Voilà as ``competency dashboard`` starts it (:func:`competency.coverage.dashboard.voila_command`):
  the HR job-description mapping notebook, the coverage dashboard with its heatmap and the
  community directory notebook.
* Accessibility (docs/accessibility.md): axe-core (from npm, .ci/browser.sh) checks each page
  against WCAG 2.2 AA: the HTML report, the three notebooks under Voilà and module 1 in
  JupyterLab. No serious or critical violation in our content (Markdown, outputs, widgets);
  what JupyterLab and Voilà themselves show is recorded, not asserted. Module 1's practice
  questions and the dashboard's filters are used with the keyboard alone, and every element
  that takes the focus must look different while it has it.

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
from competency.course.widgets import SHORT_LABEL, PracticeQuestion, load_practice
from competency.coverage.dashboard import SAMPLE_ORG, DashboardSettings, voila_command
from conftest import COURSE, REPO, CliResult, wait, wait_ms

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, ElementHandle, JSHandle, Page

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CCT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MODULE = "01-equality-law"
SOURCE = COURSE / "source" / MODULE / f"{MODULE}.ipynb"
NOTEBOOKS = REPO / "notebooks"
SLOW = wait_ms(180)  # running a whole module, or Voilà executing a notebook
IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
LAB_SETTINGS = {
    # Every cell in the DOM, and no news or update toasts over the page.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ("serious", "critical")
# Our content in a notebook: the rendered Markdown, the outputs and the widgets in them.
# Everything else on the page (menus, toolbars, the page frame) is JupyterLab's or Voilà's.
LAB_OURS = (".jp-Notebook .jp-Cell-inputWrapper .jp-RenderedHTMLCommon, .jp-OutputArea, "
            ".jupyter-widgets")
VOILA_OURS = ".jp-RenderedHTMLCommon, .jp-OutputArea, .jupyter-widgets"
AXE_RUN = """async ([tags, ours]) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                            resultTypes: ["violations"]});
    const inOurs = target => {
        if (ours === null) return true;
        if (target.length !== 1 || typeof target[0] !== "string") return false;
        try {
            const el = document.querySelector(target[0]);
            return el !== null && el.closest(ours) !== null;
        } catch (e) { return false; }
    };
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, impact: n.impact, ours: inOurs(n.target),
                                  html: n.html.slice(0, 300), summary: n.failureSummary}))}));
}"""


@dataclass(frozen=True)
class AxeFinding:
    """One axe-core rule violated on one element."""

    rule: str
    """The axe rule, e.g. ``color-contrast``."""
    impact: str
    """minor, moderate, serious or critical."""
    target: str
    """The element's CSS selector."""
    ours: bool
    """Whether the element is in our content (else it is JupyterLab's or Voilà's)."""
    html: str
    """The start of the element's markup."""
    summary: str
    """How to fix it, as axe says."""


def run_axe(page: Page, shots: Path, name: str, ours: str | None) -> list[AxeFinding]:
    """axe-core's WCAG 2.2 A and AA violations on the whole page, each marked as in our
    content (inside an element matching the selector ``ours``; everything when None) or not.

    The findings are written to ``axe-NAME.json`` beside the screenshots and summarised on
    stdout: what is not ours is recorded there, not asserted.
    """
    if not AXE.is_file():
        pytest.fail(f"no axe-core at {AXE}: `. .ci/browser.sh` installs it from npm")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN, [AXE_TAGS, ours])
    findings = [AxeFinding(v["id"], n["impact"] or v["impact"], " ".join(map(str, n["target"])),
                           n["ours"], n["html"], n["summary"])
                for v in violations for n in v["nodes"]]
    (shots / f"axe-{name}.json").write_text(json.dumps(violations, indent=1), "utf-8")
    version = page.evaluate("axe.version")
    print(f"axe-core {version} on {name}: {len(findings)} violation(s) on "
          f"{len({f.rule for f in findings})} rule(s); {sum(f.ours for f in findings)} in our "
          f"content; written to {shots / f'axe-{name}.json'}")
    for finding in findings:
        print(f"  {'ours' if finding.ours else 'upstream'} {finding.impact} {finding.rule} "
              f"{finding.target}: {finding.html[:120]!r}")
    return findings


def assert_no_serious_violation_in_ours(findings: list[AxeFinding]) -> None:
    serious = [f for f in findings if f.ours and f.impact in SERIOUS]
    assert not serious, "axe: serious or critical violations in our content:\n" + "\n".join(
        f"{f.impact} {f.rule} at {f.target}: {f.html[:200]}\n    {f.summary}" for f in serious)


# How an element looks that may show it has the focus (outline, ring, border, background),
# recorded in the page for each element while it has the focus (a date field has several
# stops inside it: its parts, then its calendar button, whose ring Chromium draws itself).
LOOK = """el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth,
    s.outlineColor, s.outlineOffset, s.boxShadow, s.borderColor, s.backgroundColor]
    .join(" | "); }"""
RECORD_LOOK = f"""() => {{ const el = document.activeElement;
    const looks = (window.cctFocusLooks ??= new Map());
    if (!looks.has(el)) looks.set(el, new Set());
    looks.get(el).add(({LOOK})(el)); return el; }}"""
LOOKED_THE_SAME = f"""el => {{ const seen = window.cctFocusLooks.get(el) || new Set();
    window.cctFocusLooks.delete(el); const now = ({LOOK})(el);
    return [...seen].every(look => look === now); }}"""
DESCRIBE = """el => el === document.body ? "body" : `${el.tagName.toLowerCase()}` +
    (el.type ? `[type=${el.type}]` : "") + ` "${(el.innerText || el.value || el.title ||
    (el.labels && el.labels[0] ? el.labels[0].innerText : "")).trim().slice(0, 40)}"`"""


class KeyboardOnly:
    """Drives a page with key presses alone, checking at each move of the focus that the
    element it left looked different while it had it (a visible focus indicator)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.moves = 0
        """How many times the focus moved (each checked)."""
        self.unseen: list[str] = []
        """Elements that looked the same with and without the focus."""

    def active(self) -> JSHandle:
        return self.page.evaluate_handle("document.activeElement")

    def describe(self) -> str:
        return str(self.active().evaluate(DESCRIBE))

    def press(self, key: str) -> None:
        before = self.page.evaluate_handle(RECORD_LOOK)
        self.page.keyboard.press(key)
        self.page.wait_for_timeout(50)  # let a focus transition finish
        if not self.page.evaluate("el => el === document.activeElement", before):
            self.moves += 1
            if (before.evaluate("el => el !== document.body")
                    and before.evaluate(LOOKED_THE_SAME)):
                self.unseen.append(str(before.evaluate(DESCRIBE)))

    def tab_to(self, element: ElementHandle, most: int = 12) -> None:
        """Press Tab until ``element`` has the focus."""
        for _ in range(most):
            if self.page.evaluate("el => el === document.activeElement", element):
                return
            self.press("Tab")
        pytest.fail(f"{most} Tabs did not reach {element.evaluate(DESCRIBE)}; "
                    f"the focus is on {self.describe()}")

    def assert_focus_always_visible(self) -> None:
        assert self.moves > 0
        assert not self.unseen, f"no visible focus indicator on: {self.unseen}"


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


@pytest.fixture(scope="module")
def module_1(browser: Browser, lab: Lab, shots: Path) -> Iterator[Page]:
    """Module 1 open in JupyterLab with all its cells run: one page shared by the tests
    below, in their order (the learner's, the keyboard's, then axe's over what they left)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(wait_ms(60))
    notebook = f"course/source/{MODULE}/{MODULE}.ipynb"
    page.goto(f"{lab.url}/lab/tree/{notebook}?reset&token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=SLOW)
    page.wait_for_selector(IDLE, timeout=SLOW)  # the kernel is up
    answer_dialogs(page)
    page.wait_for_function(KERNEL, timeout=SLOW)  # and the notebook is connected to it

    checked, _ = module_questions()
    run_all(page)
    last_check = page.locator(".jp-OutputArea-output", has_text=f"{checked[-1]} is complete")
    last_check.wait_for(timeout=SLOW)
    page.wait_for_selector(IDLE, timeout=SLOW)
    screenshot(page, shots, "run-all")
    yield page
    page.screenshot(path=str(shots / "module-1-end.png"), full_page=True)
    print(f"screenshots: {shots}")
    context.close()


def test_learner_runs_module_1_answers_practice_and_validates(
        module_1: Page, shots: Path) -> None:
    page = module_1
    checked, practices = module_questions()
    assert page.locator(".jp-OutputArea-output.jp-RenderedText[data-mime-type="
                        '"application/vnd.jupyter.stderr"]').count() == 0

    # A check() message under a graded question, in a live region a screen reader reads out.
    message = page.locator(".jp-OutputArea-output", has_text=f"{checked[0]} is complete").first
    assert "Your mark is decided when your work is graded" in message.inner_text()
    assert message.locator('[role="status"][aria-live="polite"]').count() == 1
    assert page.locator('.jp-OutputArea-output [role="status"]',
                        has_text="is complete").count() == len(checked)

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
    dialog.wait_for(state="detached")


def answer_by_keyboard(keys: KeyboardOnly, practice: Any, question: PracticeQuestion,
                       chosen: frozenset[str], said: str) -> None:
    """With the focus on the question's first option: set each option with Space (tick
    boxes) or choose it (radio buttons), Tab on to Check, press Enter, read the feedback,
    and Shift+Tab back to the first option."""
    page = keys.page
    inputs = practice.locator("input")  # radio buttons or tick boxes, in option order
    assert inputs.count() == len(question.options)
    for position, key in enumerate(question.options):
        option = inputs.nth(position)
        assert keys.page.evaluate("el => el === document.activeElement",
                                  option.element_handle()), keys.describe()
        # Space ticks or unticks a box, and chooses a radio button (choosing another
        # clears it)
        if option.is_checked() != (key in chosen) and (key in chosen or question.multiple):
            keys.press("Space")
        keys.press("Tab")
    assert [inputs.nth(i).is_checked() for i in range(len(question.options))] == [
        key in chosen for key in question.options], question.id
    check = practice.get_by_role("button", name="Check")
    assert page.evaluate("el => el === document.activeElement", check.element_handle())
    keys.press("Enter")
    status = practice.locator('.cct-feedback [role="status"][aria-live="polite"]')
    page.wait_for_function("([el, said]) => el.innerText.includes(said)",
                           arg=[status.element_handle(), said])
    for _ in question.options:
        keys.press("Shift+Tab")


def test_every_practice_question_of_module_1_with_the_keyboard_alone(
        module_1: Page, shots: Path) -> None:
    """A wrong answer and then the right one to each practice question, by Tab, Shift+Tab,
    Space and Enter; the focus is visible on every element it reaches."""
    page = module_1
    _, practices = module_questions()
    questions = load_practice(SOURCE.parent / "questions.yaml")
    keys = KeyboardOnly(page)
    for index, pid in enumerate(practices):
        question = questions[pid]
        practice = page.locator(".cct-practice").nth(index)
        practice.scroll_into_view_if_needed()
        # Where a keyboard user enters the question; JupyterLab has no key to move the
        # focus from a cell into its output (docs/accessibility.md, Known limits).
        practice.locator("input").first.focus()
        wrong = (question.answer - {min(question.answer)} if question.multiple
                 else frozenset({next(k for k in question.options if k not in question.answer)}))
        answer_by_keyboard(keys, practice, question, wrong, "Not quite.")
        answer_by_keyboard(keys, practice, question, question.answer, "Correct.")
    screenshot(page, shots, "practice-keyboard")
    print(f"keyboard: {len(practices)} practice questions, focus moved {keys.moves} times")
    keys.assert_focus_always_visible()


def test_module_1_in_jupyterlab_has_no_serious_axe_violation_in_our_content(
        module_1: Page, shots: Path) -> None:
    findings = run_axe(module_1, shots, "module-1-jupyterlab", LAB_OURS)
    assert_no_serious_violation_in_ours(findings)


def assert_no_code_shown(page: Page, code: str) -> None:
    """Voilà shows outputs and Markdown only: no code cell, no line of the code."""
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt").count() == 0
    assert page.get_by_text(code).count() == 0


class VoilaServers:
    """Voilà as ``competency dashboard`` starts it, one server per notebook of notebooks/,
    each on a copy under ``folder`` (at the same relative path)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.urls: dict[str, str] = {}
        self.processes: list[subprocess.Popen[bytes]] = []

    def url(self, name: str) -> str:
        """The URL of notebook ``name`` (e.g. ``hr/coverage-dashboard.ipynb``), served once."""
        if name not in self.urls:
            notebook = self.folder / name
            notebook.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(NOTEBOOKS / name, notebook)
            settings = DashboardSettings(notebook=notebook, port=free_port("127.0.0.1", 9100),
                                         token=secrets.token_hex(16))
            log = self.folder / f"{notebook.stem}.log"
            self.processes.append(serve(voila_command(settings), notebook.parent,
                                        isolated_env(self.folder / "home"),
                                        f"http://127.0.0.1:{settings.port}/voila/static/", log))
            self.urls[name] = f"http://127.0.0.1:{settings.port}/?token={settings.token}"
        return self.urls[name]


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServers]:
    servers = VoilaServers(tmp_path_factory.mktemp("voila"))
    yield servers
    for process in servers.processes:  # all shut down together
        process.terminate()
    for process in servers.processes:
        stop(process)


DASHBOARD = "hr/coverage-dashboard.ipynb"


def open_dashboard(voila: VoilaServers, page: Page) -> None:
    page.goto(voila.url(DASHBOARD), timeout=SLOW)
    page.locator(".cct-summary table").wait_for(timeout=SLOW)


def test_coverage_dashboard_renders_its_heatmap_under_voila(
        voila: VoilaServers, page: Page, shots: Path) -> None:
    page.goto(voila.url(DASHBOARD), timeout=SLOW)
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
    assert_no_serious_violation_in_ours(run_axe(page, shots, "coverage-dashboard", VOILA_OURS))


def test_dashboard_filters_with_the_keyboard_alone(
        voila: VoilaServers, page: Page, shots: Path) -> None:
    """From the top of the page: Tab to each filter, Down arrow to its next value (the
    date: a month earlier) and the summary follows; Up arrow back and it is whole again.
    The focus is visible on every element it reaches."""
    open_dashboard(voila, page)
    keys = KeyboardOnly(page)
    summary = page.locator(".cct-summary")
    whole = summary.inner_text()

    def summary_becomes(same: bool) -> None:
        page.wait_for_function("([el, whole, same]) => (el.innerText === whole) === same",
                               arg=[summary.element_handle(), whole, same], timeout=SLOW)

    for name in ("As of", "Team", "Role", "Competency"):
        control = page.locator(".widget-inline-hbox", has=page.locator(
            "label", has_text=re.compile(rf"^{name}$"))).locator("input, select").first
        keys.tab_to(control.element_handle())
        keys.press("ArrowDown")
        summary_becomes(same=False)
        if name != "As of":
            assert control.evaluate("el => el.selectedIndex") == 1, name  # after (all)
        keys.press("ArrowUp")
        summary_becomes(same=True)
        screenshot(page, shots, f"dashboard-keyboard-{name.replace(' ', '-').lower()}")
    print(f"keyboard: dashboard filters, focus moved {keys.moves} times")
    keys.assert_focus_always_visible()


def test_job_description_mapping_notebook_works_under_voila(
        voila: VoilaServers, page: Page, shots: Path) -> None:
    page.goto(voila.url("hr/map-job-descriptions.ipynb"), timeout=SLOW)
    page.get_by_text("suggested competencies at threshold").wait_for(timeout=SLOW)
    assert_no_serious_violation_in_ours(
        run_axe(page, shots, "map-job-descriptions", VOILA_OURS))
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
    log = voila.folder / "hr" / "output" / "decisions.csv"
    assert log.is_file()
    assert ",reject," in log.read_text("utf-8")
    assert "HR partner" in log.read_text("utf-8")


def test_community_directory_notebook_under_voila_passes_axe(
        voila: VoilaServers, page: Page, shots: Path) -> None:
    page.goto(voila.url("community-directory.ipynb"), timeout=SLOW)
    page.get_by_text("Entries to check again").wait_for(timeout=SLOW)
    page.locator(".jp-OutputArea-output table").last.wait_for(timeout=SLOW)
    assert_no_code_shown(page, "language_support(entries, local)")
    screenshot(page, shots, "community-directory")
    assert_no_serious_violation_in_ours(
        run_axe(page, shots, "community-directory", VOILA_OURS))


def test_html_report_has_no_serious_axe_violation(
        cli: Callable[..., CliResult], page: Page, shots: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole page is ours: ``competency report --out report.html`` on the sample,
    aggregated and ``--identifiable``."""
    shutil.copytree(SAMPLE_ORG, tmp_path / "org",
                    ignore=shutil.ignore_patterns("*.db", "__pycache__"))
    monkeypatch.chdir(tmp_path / "org")
    reports = {"html-report": (), "html-report-identifiable": ("--identifiable",)}
    for name, extra in reports.items():
        result = cli("report", "--out", f"{name}.html", "--as-of", "2026-11-26", *extra)
        assert result.code == 0, result.err
    for name in reports:  # (cli reads what was printed before it: axe prints after)
        page.goto((tmp_path / "org" / f"{name}.html").as_uri())
        assert_no_serious_violation_in_ours(run_axe(page, shots, name, None))
