"""The coverage dashboard: widgets that follow the filters, and Voilà serving it."""

from __future__ import annotations

import datetime as dt
import html
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.cli.orgconfig import (
    SAMPLE_CONFIG,
    config_dashboard,
    config_path,
    notebook_config,
)
from competency.course import lab
from competency.coverage import dashboard
from competency.coverage.dashboard import (
    ALL,
    CONFIG_ENV,
    SAMPLE_AS_OF,
    SAMPLE_ORG,
    TITLE,
    Dashboard,
    DashboardSettings,
    dashboard_url,
    filter_frame,
    prepare,
    voila_command,
)
from competency.coverage.reports import coverage_frame
from competency.coverage.statuses import CoverageOptions, load_inputs
from competency.errors import ConfigError
from competency.framework.model import Framework
from conftest import REPO, CliResult, wait

Cli = Callable[..., CliResult]
NOTEBOOK = REPO / "notebooks" / "hr" / "coverage-dashboard.ipynb"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def sample_frame() -> Any:
    from competency.framework.model import load_framework

    fw = load_framework()
    inputs = load_inputs(SAMPLE_ORG / "roles.csv", SAMPLE_ORG / "staff.csv",
                         SAMPLE_ORG / "evidence.csv", fw)
    frame, _ = coverage_frame(inputs, CoverageOptions(SAMPLE_AS_OF))
    return frame


def test_voila_command_line(tmp_path: Path) -> None:
    notebook = tmp_path / "board.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    argv = voila_command(DashboardSettings(notebook, port=9123, token="abc"))
    assert argv == [
        sys.executable, "-m", "voila", str(notebook), "--Voila.ip=127.0.0.1",
        "--Voila.port=9123", "--Voila.port_retries=0", "--Voila.open_browser=False",
        f"--Voila.root_dir={tmp_path}", "--Voila.token=abc",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False"]
    assert dashboard_url(DashboardSettings(notebook, port=9123, token="abc")) == (
        "http://127.0.0.1:9123/?token=abc")


def test_cli_translates_port_and_notebook(cli: Cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[DashboardSettings] = []
    monkeypatch.setattr(dashboard, "serve", lambda s: seen.append(s) or 0)
    monkeypatch.chdir(tmp_path)
    assert cli("dashboard", "--port", "9999").code == 0
    assert seen[-1] == DashboardSettings(NOTEBOOK, port=9999)
    mine = tmp_path / "mine.ipynb"
    mine.write_text("{}", encoding="utf-8")
    assert cli("dashboard", "--notebook", mine).code == 0
    assert seen[-1] == DashboardSettings(mine, port=8866)


def test_cli_passes_the_config_to_the_notebook(cli: Cli, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[DashboardSettings] = []
    monkeypatch.setattr(dashboard, "serve", lambda s: seen.append(s) or 0)
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "trust" / "competency.toml"
    config.parent.mkdir()
    config.write_text("[dashboard]\nport = 9100\n", encoding="utf-8")
    assert cli("dashboard", "--config", config).code == 0
    assert seen[-1] == DashboardSettings(NOTEBOOK, port=9100, config=config.resolve())
    monkeypatch.chdir(config.parent)  # ./competency.toml is found too
    assert cli("dashboard").code == 0
    assert seen[-1].config == config.resolve()


def test_serve_names_the_config_for_the_kernel(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    envs: list[dict[str, str]] = []

    class FakeProcess:
        def __init__(self, argv: list[str], **kwargs: Any) -> None:
            envs.append(kwargs["env"])

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(lab.subprocess, "Popen", FakeProcess)
    monkeypatch.setenv(CONFIG_ENV, "stale.toml")
    config = tmp_path / "competency.toml"
    assert dashboard.serve(DashboardSettings(NOTEBOOK, token="t", config=config)) == 0
    assert envs[-1][CONFIG_ENV] == str(config)
    assert dashboard.serve(DashboardSettings(NOTEBOOK, token="t")) == 0
    assert CONFIG_ENV not in envs[-1]  # the notebook's default: the sample organisation
    capsys.readouterr()


def test_config_dashboard_reads_the_sample_config_by_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path() == SAMPLE_CONFIG
    board = config_dashboard()
    source, dates = board.children[:2]
    assert str(SAMPLE_CONFIG) in source.value
    picker = dates.children[0]
    assert picker.value == dt.date(2026, 11, 26)  # pinned by the sample's config
    assert not picker.disabled


def test_config_dashboard_reads_a_trusts_config(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    trust = tmp_path / "trust"
    trust.mkdir()
    for name in ("roles.csv", "staff.csv", "evidence.csv"):
        shutil.copy(SAMPLE_ORG / name, trust)
    config = trust / "competency.toml"
    config.write_text('[data]\nroles = "roles.csv"\nstaff = "staff.csv"\n'
                      'evidence = "evidence.csv"\n\n[report]\nthreshold = 3\n',
                      encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    assert notebook_config().path == config
    board = config_dashboard()
    assert str(config) in board.children[0].value
    assert board.children[1].children[0].value == dt.date.today()  # no as_of: today
    assert "Counts from 1 to 3 are shown as *" in board.children[3].value  # [report]
    config.write_text('[data]\nroles = "roles.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"the dashboard needs data\.roles, data\.staff and "
                       r"data\.evidence \(data\.staff, data\.evidence not set\)$"):
        config_dashboard()


def test_the_date_picker_recomputes_coverage(sample_frame: Any, framework: Framework) -> None:
    from competency.coverage.dashboard import coverage_dashboard

    widget = coverage_dashboard(as_of=SAMPLE_AS_OF)
    picker = widget.children[1].children[0]
    summary = widget.children[-1]
    before = summary.value
    picker.value = dt.date(2021, 1, 1)  # before most evidence was achieved
    assert summary.value != before
    picker.value = SAMPLE_AS_OF
    assert summary.value == before
    picker.value = None  # cleared: nothing changes
    assert summary.value == before


def test_cli_missing_notebook(cli: Cli, tmp_path: Path) -> None:
    result = cli("dashboard", "--notebook", tmp_path / "none.ipynb")
    assert (result.code, result.err) == (
        2, f"{tmp_path / 'none.ipynb'}: dashboard notebook not found; give its path\n")


def test_serve_prints_the_url_and_runs_voila(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[list[str]] = []

    class FakeProcess:
        def __init__(self, argv: list[str], **_: Any) -> None:
            calls.append(argv)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(lab.subprocess, "Popen", FakeProcess)
    assert dashboard.serve(DashboardSettings(NOTEBOOK, port=8866, token="tok")) == 0
    out = capsys.readouterr().out
    port = int(calls[0][5].split("=")[1])
    assert f"Open http://127.0.0.1:{port}/?token=tok" in out
    assert calls[0][3] == str(NOTEBOOK)


def test_filters(sample_frame: Any) -> None:
    rows = filter_frame(sample_frame, team="Trust board", competency="LAW-1")
    assert set(rows["team"]) == {"Trust board"}
    assert set(rows["competency"]) == {"LAW-1"}
    assert len(filter_frame(sample_frame)) == len(sample_frame)


def heatmap_svg_of(widget_html: str) -> Any:
    """The SVG inlined in the heatmap widget's figure, parsed."""
    import base64
    import re
    import xml.etree.ElementTree as ET

    found = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', widget_html)
    assert found is not None
    return ET.fromstring(base64.b64decode(found.group(1)))


def svg_texts(svg: Any) -> list[str]:
    """The text of every ``<text>`` in an SVG: title, cell numbers and labels."""
    return [t.text or "" for t in svg.iter(f"{SVG_NS}text")]


def test_the_filters_have_a_focus_ring_that_stands_out(sample_frame: Any,
                                                       framework: Framework) -> None:
    board = Dashboard(sample_frame, framework)
    assert "cct-dashboard" in board.widget._dom_classes
    assert "cct-summary" in board.summary._dom_classes  # what the browser test follows
    styles = [child.value for child in board.widget.children if hasattr(child, "value")
              and isinstance(child.value, str) and "<style>" in child.value]
    assert len(styles) == 1
    assert (".cct-dashboard select:focus-visible,.cct-dashboard input:focus-visible"
            "{outline:3px solid #0a4690;") in styles[0]


def test_dashboard_follows_the_filters(sample_frame: Any, framework: Framework) -> None:
    board = Dashboard(sample_frame, framework)
    whole_svg = heatmap_svg_of(board.heatmap.value)
    assert whole_svg.tag == f"{SVG_NS}svg"
    whole_texts = svg_texts(whole_svg)
    roles = set(sample_frame["role"])
    assert roles <= set(whole_texts)  # a row label per role
    whole = board.summary.value
    assert ("<table><caption>Requirements in each status (columns) for each competency "
            "(rows)</caption>") in whole
    board.team.value = "Trust board"
    small = board.summary.value
    assert small != whole
    assert "*" in small
    small_svg = heatmap_svg_of(board.heatmap.value)
    small_texts = svg_texts(small_svg)
    assert small_texts != whole_texts
    board_roles = set(filter_frame(sample_frame, team="Trust board")["role"])
    assert {t for t in small_texts if t in roles} == board_roles  # only the board's roles
    assert "*" in small_texts  # small numbers suppressed: * printed in the cell
    table = board.heatmap.value.split("</figure>", 1)[1]
    assert small_texts.count("*") == table.count(">*</td>")  # as many as in its table
    grey = [r for r in small_svg.iter(f"{SVG_NS}rect") if r.get("fill") == "#dddddd"]
    assert len(grey) == small_texts.count("*")  # each * on the suppressed grey
    board.team.value = ALL
    board.competency.value = "RACE-1"
    assert ">RACE-1<" in board.summary.value
    assert ">LAW-1<" not in board.summary.value
    board.role.value = "Receptionist"
    board.competency.value = "LEAD-1"  # receptionists do not need it
    assert board.summary.value == "<p>No requirements match these filters.</p>"
    assert board.heatmap.value == ""
    ids = set(sample_frame["staff_id"])
    for value in (whole, small):
        assert not [i for i in ids if i in value]


def test_the_dashboard_draws_without_matplotlib() -> None:
    """Building the dashboard and changing a filter load no plotting library (a fresh
    interpreter: this test process may hold matplotlib already)."""
    code = ("import sys\n"
            "from competency.coverage.dashboard import coverage_dashboard\n"
            "widget = coverage_dashboard()\n"
            "widget.children[1].children[1].value = 'Trust board'\n"
            "print('matplotlib' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_the_heatmap_has_a_text_alternative(sample_frame: Any, framework: Framework) -> None:
    """Alt text and a caption on the picture (whose cells print their numbers), then the
    same figures in a table with a caption and header cells; headings under the
    notebook's title are h2."""
    from competency.coverage.dashboard import (
        HEATMAP_ALT,
        HEATMAP_CAPTION,
        HEATMAP_TABLE_CAPTION,
    )
    from competency.coverage.disclosure import DisclosureRule
    from competency.coverage.reports import heatmap_shares, heatmap_table, table_html

    board = Dashboard(sample_frame, framework)
    value = board.heatmap.value
    assert value.startswith(f'<figure><img alt="{HEATMAP_ALT}" ')
    assert f"<figcaption>{HEATMAP_CAPTION}</figcaption></figure>" in value
    shares = heatmap_shares(sample_frame, DisclosureRule(), board.competencies)
    table = value.split("</figure>", 1)[1]
    assert table.startswith('<div class="table-wrap" role="region" aria-label="'
                            f'{html.escape(HEATMAP_TABLE_CAPTION)}" tabindex="0"><table>'
                            "<caption>")
    assert table.count('<th scope="row">') == len(shares.index)  # a row per role
    assert table.count('<th scope="col"') == len(shares.columns) + 1
    expected = heatmap_table(shares, sample_frame.groupby(["role", "competency"]).size()
                             .unstack(fill_value=0).reindex(index=shares.index,
                                                            columns=shares.columns,
                                                            fill_value=0) > 0)
    assert table == table_html(expected, caption=HEATMAP_TABLE_CAPTION)
    headings = [w.value for w in board.widget.children
                if "<h" in getattr(w, "value", "")]
    assert [h.split("<h2>")[1] for h in headings] == [
        "Share met by role and competency</h2>", "Requirements by competency and status</h2>"]


def test_notebook_is_committed_without_outputs() -> None:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].source.startswith(f"# {TITLE}")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.mark.notebooks
def test_voila_serves_the_dashboard_without_code(tmp_path: Path) -> None:
    settings = prepare(DashboardSettings(NOTEBOOK, port=8866))
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", JUPYTER_RUNTIME_DIR=str(tmp_path))
    process = subprocess.Popen(voila_command(settings), cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + wait(120)
        page = ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(dashboard_url(settings),
                                            timeout=wait(60)) as response:
                    page = response.read().decode("utf-8")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert page, "Voila did not answer"
        assert TITLE in page
        assert "coverage_dashboard" not in page
        assert "from competency" not in page
        assert "application/vnd.jupyter.widget-view+json" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/",
                                    timeout=wait(60)) as response:
            assert "/login" in response.url  # no token: Jupyter's login page, no dashboard
            assert TITLE not in response.read().decode("utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=wait(20))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
