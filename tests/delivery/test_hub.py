"""The trust's JupyterHub (deploy/jupyterhub) on loopback: a whole course round trip.

The hub runs the shipped configuration, adapted only where one test machine must stand
in for a server with many accounts: the dummy authenticator, one OS account for
everyone (SimpleLocalProcessSpawner, home folders under tmp_path, ``--allow-root``), a
temporary folder for /srv/nbgrader and /etc/jupyter, free loopback ports, and an extra
service whose token drives the hub's REST API. configurable-http-proxy comes from the
npm registry (cached in .cache/chp, as .ci/browser.sh does).

Then, with nbgrader's own commands run as each user with that user's configuration
and hub token (as in a terminal of their server): a trainer adds a learner to the
course, releases module 1; the learner fetches it, answers every question and submits;
the trainer collects, autogrades (``competency grade``), grades the reflection in the
formgrader through the hub, generates and releases feedback; the learner fetches the
feedback. The gradebook holds full marks and the learner's competency evidence follows from it.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests

from conftest import COURSE, REPO, wait, wait_ms

pytestmark = pytest.mark.hub

DEPLOY = REPO / "deploy" / "jupyterhub"
CHP_CACHE = REPO / ".cache" / "chp"
COURSE_ID = "cultural-capability"
LEARNERS = f"nbgrader-{COURSE_ID}"
TRAINERS = f"formgrade-{COURSE_ID}"
GRADER = f"grader-{COURSE_ID}"
MODULE = "01-equality-law"
LEARNER = "learner1"
TRAINER = "trainer1"
PASSWORD = "any password will do"  # the dummy authenticator accepts any
CODE_STUB = "...  # YOUR ANSWER HERE"
TEXT_STUB = "YOUR ANSWER HERE"
DEADLINE = wait(120)


def free_ports(count: int) -> list[int]:
    """``count`` ports nothing listens on, all different (held together while picked)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                 for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


def chp_command() -> str:
    """configurable-http-proxy from the npm registry, installed into .cache/chp once."""
    cached = CHP_CACHE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not cached.exists() and shutil.which("configurable-http-proxy") is None:
        if shutil.which("npm") is None:
            pytest.fail("configurable-http-proxy needs Node.js and npm (.ci/browser.sh "
                        "installs the proxy into .cache/chp)")
        done = subprocess.run(["npm", "install", "--prefix", str(CHP_CACHE), "--no-audit",
                               "--no-fund", "configurable-http-proxy"],
                              capture_output=True, text=True, timeout=wait(300), check=False)
        assert done.returncode == 0, f"npm install failed:\n{done.stderr[-2000:]}"
    return str(cached) if cached.exists() else str(shutil.which("configurable-http-proxy"))


@dataclass
class Hub:
    """A running hub and the folders standing in for the server's."""

    url: str
    """Public URL (the proxy)."""
    api_url: str
    """The hub's REST API, as servers reach it."""
    token: str
    """Token of the test service (admin scopes)."""
    grader_token: str
    """The grader service's own API token."""
    root: Path
    """Everything else lives under here."""
    course: Path
    """The course directory the grader service grades."""
    exchange: Path
    """nbgrader's exchange."""
    etc: Path
    """Stands in for /etc/jupyter (the global nbgrader_config.py)."""
    log: Path
    """The hub's log."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Hub API tokens of the test users."""

    def api(self, method: str, path: str, token: str | None = None,
            **kwargs: Any) -> requests.Response:
        """Call the hub's REST API (``path`` after /hub/api)."""
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                timeout=wait(30), **kwargs)

    def home(self, user: str) -> Path:
        return self.root / "home" / user

    def run_as(self, user: str, *args: str, cwd: Path | None = None
               ) -> subprocess.CompletedProcess[str]:
        """Run a command as ``user`` would in a terminal of their server (or the grader's)."""
        home = self.home(user)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "JUPYTERHUB", "NBGRADER"))}
        env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
                   JUPYTER_CONFIG_PATH=str(self.etc), JUPYTERHUB_USER=user,
                   JUPYTERHUB_API_URL=self.api_url,
                   JUPYTERHUB_API_TOKEN=self.grader_token if user == GRADER
                   else self.tokens[user],
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
        done = subprocess.run(list(args), cwd=cwd or home, env=env, capture_output=True,
                              text=True, timeout=wait(600), check=False)
        assert done.returncode == 0, (f"{user}: {' '.join(args)} failed:\n"
                                      f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done

    def nbgrader(self, user: str, *args: str) -> subprocess.CompletedProcess[str]:
        cwd = self.course if user == GRADER else None
        return self.run_as(user, sys.executable, "-m", "nbgrader", *args, cwd=cwd)


def write_layout(root: Path) -> tuple[Path, Path, Path]:
    """/srv/nbgrader (exchange and course) and /etc/jupyter, as README.md installs them."""
    exchange = root / "srv" / "nbgrader" / "exchange"
    exchange.mkdir(parents=True)
    exchange.chmod(0o777)
    course = root / "srv" / "nbgrader" / COURSE_ID
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    etc = root / "etc" / "jupyter"
    etc.mkdir(parents=True)
    text = (DEPLOY / "nbgrader_config.py").read_text("utf-8")
    assert text.count('"/srv/nbgrader/exchange"') == 1
    (etc / "nbgrader_config.py").write_text(
        text.replace('"/srv/nbgrader/exchange"', repr(str(exchange))), "utf-8")
    # One OS account stands in for many: each user's own nbgrader_config.py names them.
    for user in (LEARNER, TRAINER):
        config = root / "home" / user / ".jupyter"
        config.mkdir(parents=True)
        (config / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.student_id = {user!r}\n", "utf-8")
    grader = root / "home" / GRADER / ".jupyter"
    grader.mkdir(parents=True)
    (grader / "nbgrader_config.py").write_text(
        "c = get_config()\nc.ExchangeCollect.check_owner = False\n", "utf-8")
    return course, exchange, etc


HUB_CONFIG = """\
# The trust's configuration, adapted to one test machine (see tests/delivery/test_hub.py).
c = get_config()
load_subconfig({deploy!r})

c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {pid_file!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.args = [*c.Spawner.args, "--allow-root"]
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {etc!r}}}
c.Spawner.start_timeout = {spawn_timeout}
c.Spawner.http_timeout = {spawn_timeout}

for service in c.JupyterHub.services:
    if service["name"] == {course_id!r}:
        service["user"] = ""  # as the hub's own account (no OS account per user here)
        service["command"] = service["command"] + ["--allow-root"]
        service["api_token"] = {grader_token!r}
        service["environment"].update(HOME={grader_home!r},
                                      JUPYTER_CONFIG_DIR={grader_home!r} + "/.jupyter",
                                      JUPYTER_CONFIG_PATH={etc!r})

c.JupyterHub.services.append({{"name": "cct-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "cct-test",
    "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens", "list:services",
               "read:services"],
    "services": ["cct-test"],
}})
"""


def wait_for(check: Any, what: str, log: Path, timeout: float = DEADLINE) -> Any:
    """Poll ``check()`` until it returns something true; fail with the hub's log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.5)
    tail = log.read_text("utf-8", errors="replace")[-6000:] if log.exists() else ""
    pytest.fail(f"timed out waiting for {what}; hub log:\n{tail}")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    root = tmp_path_factory.mktemp("hub")
    course, exchange, etc = write_layout(root)
    state = root / "hub"
    state.mkdir()
    port, hub_port, proxy_api_port, grader_port = free_ports(4)
    token, grader_token = secrets.token_hex(16), secrets.token_hex(16)
    (state / "jupyterhub_config.py").write_text(HUB_CONFIG.format(
        deploy=str(DEPLOY / "jupyterhub_config.py"), hub_port=hub_port,
        proxy_api_port=proxy_api_port, chp=chp_command(), pid_file=str(state / "proxy.pid"),
        homes=str(root / "home"), etc=str(etc), course_id=COURSE_ID,
        grader_token=grader_token, grader_home=str(root / "home" / GRADER), token=token,
        spawn_timeout=round(wait(120))),
        "utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JUPYTERHUB", "NBGRADER", "CCT_"))}
    env.update(CCT_COURSE_ROOT=str(course), CCT_GRADER_PORT=str(grader_port),
               CCT_HUB_BIND_URL=f"http://127.0.0.1:{port}",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    log = state / "jupyterhub.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(state / "jupyterhub_config.py")],
            cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            running = Hub(url=url, api_url=f"http://127.0.0.1:{hub_port}/hub/api",
                          token=token, grader_token=grader_token, root=root, course=course,
                          exchange=exchange, etc=etc, log=log)
            wait_for(lambda: process.poll() is None
                     and requests.get(f"{url}/hub/api/", timeout=wait(5)).ok, "the hub", log)
            wait_for(lambda: requests.get(f"{url}/services/{COURSE_ID}/api/status",
                                          timeout=wait(5)).status_code in (200, 403),
                     "the grader service", log)
            yield running
        finally:
            process.send_signal(signal.SIGTERM)  # the hub stops its servers and proxy
            try:
                process.wait(timeout=wait(60))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def xsrf(session: requests.Session, path: str) -> str:
    """The ``_xsrf`` cookie the server at ``path`` set (the hub and each server set one)."""
    (value,) = [c.value for c in session.cookies
                if c.name == "_xsrf" and c.path.rstrip("/") == path.rstrip("/")]
    return str(value)


def login(hub: Hub, user: str) -> requests.Session:
    """A browser-like session logged in to the hub as ``user``."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=wait(30)).raise_for_status()
    response = session.post(f"{hub.url}/hub/login?next=", timeout=wait(30), data={
        "username": user, "password": PASSWORD, "_xsrf": xsrf(session, "/hub/")})
    response.raise_for_status()
    assert any(c.name == "jupyterhub-session-id" for c in session.cookies), response.text[:500]
    return session


def start_servers(hub: Hub, *users: str) -> None:
    for user in users:
        response = hub.api("POST", f"/users/{user}/server")
        assert response.status_code in (201, 202), response.text

    def ready() -> bool:
        return all(hub.api("GET", f"/users/{u}").json()["servers"].get("", {}).get("ready")
                   for u in users)

    wait_for(ready, f"the servers of {', '.join(users)}", hub.log)


def complete(released: Path, source: Path) -> None:
    """Answer every question of a fetched notebook: fill each stub from the source solution."""
    solutions: dict[str, list[str]] = {}
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = cell.source.splitlines()
            begin = next(i for i, line in enumerate(lines) if "BEGIN SOLUTION" in line)
            end = next(i for i, line in enumerate(lines) if "END SOLUTION" in line)
            solutions[meta["grade_id"]] = lines[begin + 1:end]
    nb = nbformat.read(released, as_version=4)
    filled = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        answer = solutions[meta["grade_id"]]
        stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
        lines = cell.source.splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip() == stub)
        cell.source = "\n".join(lines[:at] + answer + lines[at + 1:])
        filled += 1
    assert filled == len(solutions) > 10
    nbformat.write(nb, released)


def points(source: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The source notebook's graded cells: {grade_id: points}, autograded and by hand."""
    auto: dict[str, float] = {}
    manual: dict[str, float] = {}
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            target = manual if cell.cell_type == "markdown" else auto
            target[meta["grade_id"]] = float(meta["points"])
    return auto, manual


def manual_grade(hub: Hub, session: requests.Session, grade_id: str, score: float) -> None:
    """Give ``score`` to the learner's cell ``grade_id`` through the formgrader's REST API."""
    base = f"{hub.url}/services/{COURSE_ID}/formgrader/api"
    submissions = session.get(f"{base}/submitted_notebooks/{MODULE}/{MODULE}", timeout=wait(30))
    submissions.raise_for_status()
    (notebook,) = [s for s in submissions.json() if s["student"] == LEARNER]
    grades = session.get(f"{base}/grades", params={"submission_id": notebook["id"]},
                         timeout=wait(30))
    grades.raise_for_status()
    (grade,) = [g for g in grades.json() if g["name"] == grade_id]
    assert grade["needs_manual_grade"]
    response = session.put(f"{base}/grade/{grade['id']}", json={"manual_score": score},
                           headers={"X-XSRFToken": xsrf(session, f"/services/{COURSE_ID}/")},
                           timeout=wait(30))
    assert response.status_code == 200, response.text
    assert response.json()["manual_score"] == score


def test_course_round_trip_through_the_hub(hub: Hub, tmp_path: Path) -> None:
    # An administrator adds a learner and a trainer; the trainer joins the trainers' group.
    assert hub.api("POST", "/users", json={"usernames": [LEARNER, TRAINER]}).status_code == 201
    assert hub.api("POST", f"/groups/{TRAINERS}/users",
                   json={"users": [TRAINER]}).status_code == 200
    for user in (LEARNER, TRAINER):
        response = hub.api("POST", f"/users/{user}/tokens", json={"note": "test"})
        assert response.status_code == 201, response.text
        hub.tokens[user] = response.json()["token"]
    start_servers(hub, LEARNER, TRAINER)

    # The trainer adds the learner to the course: nbgrader puts them in the learners' group.
    hub.nbgrader(GRADER, "db", "student", "add", LEARNER, "--first-name=Ada",
                 "--last-name=Learner")
    members = hub.api("GET", f"/groups/{LEARNERS}").json()["users"]
    assert members == [LEARNER]

    # The trainer releases module 1.
    hub.nbgrader(GRADER, "generate_assignment", MODULE)
    hub.nbgrader(GRADER, "release_assignment", MODULE)
    assert (hub.exchange / COURSE_ID / "outbound" / MODULE / f"{MODULE}.ipynb").is_file()

    # The learner's Assignments tab (their server, with its own hub token) lists it ...
    listing = requests.get(f"{hub.url}/user/{LEARNER}/assignments",
                           params={"course_id": COURSE_ID}, timeout=wait(60),
                           headers={"Authorization": f"token {hub.tokens[LEARNER]}"})
    assert listing.status_code == 200, listing.text
    assert frame_ancestors(listing) == "'none'"  # a learner's own server: no framing
    assert listing.json()["success"], listing.json()
    assert [(a["assignment_id"], a["status"]) for a in listing.json()["value"]] == [
        (MODULE, "released")]
    # ... and the trainer's Courses tab links to the grader service.
    courses = requests.get(f"{hub.url}/user/{TRAINER}/formgraders", timeout=wait(60),
                           headers={"Authorization": f"token {hub.tokens[TRAINER]}"})
    assert courses.status_code == 200, courses.text
    assert [(c["course_id"], c["kind"]) for c in courses.json()["value"]] == [
        (COURSE_ID, "jupyterhub")]
    assert courses.json()["value"][0]["url"].endswith(f"/services/{COURSE_ID}/lab?formgrader=true")

    # The learner fetches it, answers every question and submits.
    hub.nbgrader(LEARNER, "fetch_assignment", MODULE)
    fetched = hub.home(LEARNER) / COURSE_ID / MODULE / f"{MODULE}.ipynb"
    assert CODE_STUB in fetched.read_text("utf-8")
    complete(fetched, hub.course / "source" / MODULE / f"{MODULE}.ipynb")
    hub.nbgrader(LEARNER, "submit", MODULE)

    # The trainer collects and grades; the reflection is graded by hand in the formgrader.
    hub.nbgrader(GRADER, "collect", MODULE)
    assert (hub.course / "submitted" / LEARNER / MODULE / f"{MODULE}.ipynb").is_file()
    # `competency grade`: nbgrader's autograde, in sandboxed workers, same gradebook.
    # (limits as the course's and the default, scaled for a busy machine)
    hub.run_as(GRADER, sys.executable, "-m", "competency.cli", "grade", MODULE, "--course",
               str(hub.course), "--no-progress", "--cell-timeout", f"{wait(60):g}",
               "--notebook-timeout", f"{wait(120):g}", cwd=hub.course)
    source = hub.course / "source" / MODULE / f"{MODULE}.ipynb"
    auto, manual = points(source)
    assert manual, "module 1 has a reflective answer graded by hand"
    with login(hub, TRAINER) as session:
        for grade_id, full_marks in manual.items():
            manual_grade(hub, session, grade_id, full_marks)

    # Feedback goes back to the learner.
    hub.nbgrader(GRADER, "generate_feedback", MODULE)
    hub.nbgrader(GRADER, "release_feedback", MODULE)
    hub.nbgrader(LEARNER, "fetch_feedback", MODULE)
    (feedback,) = (hub.home(LEARNER) / COURSE_ID / MODULE / "feedback").glob(f"*/{MODULE}.html")
    total = sum(auto.values()) + sum(manual.values())
    assert f"Score: {total:g} / {total:g}" in re.sub(r"(\d)\.0\b", r"\1",
                                                       feedback.read_text("utf-8"))

    # The gradebook holds full marks ...
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(MODULE, LEARNER)
        assert (float(submission.score), float(submission.max_score)) == (total, total)
        assert float(submission.code_score) == float(submission.max_code_score) == sum(
            auto.values())

    # ... and the learner holds both competencies the module evidences, at its level.
    from competency.course.coursemap import course_map

    levels = course_map(hub.course).levels[MODULE]
    assert set(levels) == {"LAW-1", "LAW-2"}
    store = f"sqlite:///{tmp_path / 'evidence.db'}"
    imported = hub.run_as(GRADER, sys.executable, "-m", "competency.cli", "evidence",
                          "gradebook", "--course", str(hub.course), "--store", store,
                          cwd=tmp_path)
    assert f"added {len(levels)}, " in imported.stdout, imported.stdout
    hub.run_as(GRADER, sys.executable, "-m", "competency.cli", "evidence", "export",
               "--store", store, "--out", str(tmp_path / "evidence.csv"), cwd=tmp_path)
    with (tmp_path / "evidence.csv").open(encoding="utf-8") as f:
        rows = sorted((r["staff_id"], r["competency"], r["level"], r["source"])
                      for r in csv.DictReader(f))
    assert rows == [(LEARNER, cid, str(level), f"nbgrader:{MODULE}")
                    for cid, level in sorted(levels.items())]


def frame_ancestors(response: requests.Response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    found = re.search(r"frame-ancestors ([^;]+)", policy)
    assert found, f"{response.url}: no frame-ancestors in {policy!r}"
    return found.group(1).strip()


def test_formgrader_answers_trainers_through_the_hub(hub: Hub) -> None:
    hub.api("POST", "/users", json={"usernames": ["trainer2", "learner2"]})
    hub.api("POST", f"/groups/{TRAINERS}/users", json={"users": ["trainer2"]})
    with login(hub, "trainer2") as session:
        page = session.get(f"{hub.url}/services/{COURSE_ID}/formgrader", timeout=wait(60))
        assert page.status_code == 200, page.text[:500]
        assert page.url.startswith(f"{hub.url}/services/{COURSE_ID}/formgrader")
        assert "Manage Assignments" in page.text
        api = session.get(f"{hub.url}/services/{COURSE_ID}/formgrader/api/assignments",
                          timeout=wait(60))
        assert api.status_code == 200
        assert isinstance(api.json(), list)
        # The service's landing page is the formgrader; its JupyterLab may frame it.
        landing = session.get(f"{hub.url}/services/{COURSE_ID}/", timeout=wait(60))
        assert landing.status_code == 200
        assert f"/services/{COURSE_ID}/formgrader" in landing.url
        assert frame_ancestors(page) == "'self'"
        lab = session.get(f"{hub.url}/services/{COURSE_ID}/lab", timeout=wait(60))
        assert lab.status_code == 200
        assert frame_ancestors(lab) == "'self'"
        # The hub's own pages keep JupyterHub's default: no framing at all.
        home = session.get(f"{hub.url}/hub/home", timeout=wait(60))
        assert home.status_code == 200
        assert frame_ancestors(home) == "'none'"
    # A learner is turned away from the grader service.
    with login(hub, "learner2") as session:
        refused = session.get(f"{hub.url}/services/{COURSE_ID}/formgrader", timeout=wait(60))
        assert refused.status_code == 403
        assert "Manage Assignments" not in refused.text
        assert frame_ancestors(session.get(f"{hub.url}/hub/login", timeout=wait(60))) == "'none'"



@pytest.mark.browser
def test_formgrader_panel_shows_in_the_grader_services_jupyterlab(
        hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> None:
    """In Chromium: what nbgrader's Courses tab opens, the Formgrader panel, is not blank."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    hub.api("POST", "/users", json={"usernames": ["trainer3"]})
    hub.api("POST", f"/groups/{TRAINERS}/users", json={"users": ["trainer3"]})
    shots = tmp_path_factory.mktemp("screenshots-hub")
    target = f"/services/{COURSE_ID}/lab?formgrader=true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(wait_ms(60))
            page.goto(f"{hub.url}/hub/login?next={requests.utils.quote(target, safe='')}")
            page.fill("#username_input", "trainer3")
            page.fill("#password_input", PASSWORD)
            page.click("#login_submit")
            page.wait_for_url(f"**/services/{COURSE_ID}/lab**")
            panel = page.frame_locator("#formgrader-iframe iframe")
            panel.get_by_text("Manage Assignments").first.wait_for(timeout=wait_ms(120))
            panel.get_by_text("Loading, please wait...").wait_for(state="hidden")
            page.screenshot(path=str(shots / "formgrader-panel.png"))
            print(f"screenshots: {shots}")
        finally:
            browser.close()
