"""The coverage dashboard: widgets over the report's figures, served by Voilà.

:func:`coverage_dashboard` builds the widgets (filters by team, role and
competency; a heatmap and a summary that follow them), over the sample
organisation unless told otherwise, with a date picker for the as-of date.
``notebooks/hr/coverage-dashboard.ipynb`` shows it, and ``competency dashboard``
serves that notebook with Voilà on 127.0.0.1 with no code shown, naming the
organisation's config file in :data:`CONFIG_ENV` for the notebook to read. Every
figure is aggregated and goes through :mod:`competency.coverage.disclosure`. The
heatmap prints its number in every cell and has a text alternative: alt text, a
caption, and a table of the same figures under it.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competency.course.lab import DEFAULT_HOST, free_port
from competency.coverage.disclosure import DisclosureRule, protect
from competency.coverage.reportfiles import SVG, figure_html
from competency.coverage.reports import (
    COMPETENCY,
    heatmap_shares,
    heatmap_svg,
    heatmap_table,
    published,
    status_counts,
    table_html,
)
from competency.coverage.statuses import (
    DEFAULT_EXPIRING_DAYS,
    DEFAULT_REFRESHER_YEARS,
    CoverageInputs,
    CoverageOptions,
    load_inputs,
)
from competency.errors import CompetencyError
from competency.hr.staff import ROLE, TEAM

if TYPE_CHECKING:
    import pandas as pd

    from competency.framework.model import Framework

TITLE = "Competency coverage dashboard"
DEFAULT_PORT = 8866
SAMPLE_ORG = Path(__file__).resolve().parents[1] / "data" / "sample-org"
"""The fictional Northmoor Rural Health NHS Trust."""
SAMPLE_AS_OF = dt.date(2026, 9, 30)
"""The date the sample organisation's synthetic evidence is drawn back from."""
NOTEBOOK = Path("notebooks") / "hr" / "coverage-dashboard.ipynb"
ALL = "(all)"
CONFIG_ENV = "COMPETENCY_CONFIG"
"""The environment variable naming the organisation's ``competency.toml`` for the
dashboard and HR notebooks (set by ``competency dashboard``)."""


@dataclass(frozen=True)
class DashboardSettings:
    """How to serve the dashboard."""

    notebook: Path
    """The dashboard notebook."""
    host: str = DEFAULT_HOST
    """Interface to listen on; loopback by default."""
    port: int = DEFAULT_PORT
    """Port to listen on (the next free one is used if it is taken)."""
    token: str = field(default="", repr=False)
    """Access token; a random one when empty."""
    config: Path | None = None
    """The organisation's config file, passed to the notebook in :data:`CONFIG_ENV`;
    None for the notebook's default (the sample organisation)."""


def find_notebook(explicit: Path | None = None) -> Path:
    """The dashboard notebook: ``explicit``, else in the current folder, else the repository's."""
    candidates = [explicit] if explicit is not None else [
        Path.cwd() / NOTEBOOK, Path(__file__).resolve().parents[3] / NOTEBOOK]
    for path in candidates:
        if path.is_file():
            return path
    raise CompetencyError(f"{candidates[0]}: dashboard notebook not found; give its path")


def voila_command(settings: DashboardSettings) -> list[str]:
    """The ``voila`` command line for these settings."""
    return [
        sys.executable, "-m", "voila", str(settings.notebook.resolve()),
        f"--Voila.ip={settings.host}",
        f"--Voila.port={settings.port}",
        "--Voila.port_retries=0",
        "--Voila.open_browser=False",
        f"--Voila.root_dir={settings.notebook.resolve().parent}",
        f"--Voila.token={settings.token}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def dashboard_url(settings: DashboardSettings) -> str:
    """Where the running dashboard answers."""
    return f"http://{settings.host}:{settings.port}/?token={settings.token}"


def prepare(settings: DashboardSettings) -> DashboardSettings:
    """Settings with a free port and a token chosen."""
    return DashboardSettings(settings.notebook, settings.host,
                             free_port(settings.host, settings.port),
                             settings.token or secrets.token_hex(16), settings.config)


def serve(settings: DashboardSettings) -> int:
    """Run Voilà until Ctrl-C; returns its exit code."""
    final = prepare(settings)
    if final.config is not None:  # the notebook's kernel inherits it
        os.environ[CONFIG_ENV] = str(final.config)
    else:
        os.environ.pop(CONFIG_ENV, None)
    print(f"{TITLE}: Voila is starting.\n\n    Open {dashboard_url(final)}\n\n"
          "(press Ctrl-C to stop)", flush=True)
    from competency.course.lab import run_foreground

    return run_foreground(voila_command(final), final.notebook.parent)


# --------------------------------------------------------------------------- widgets

def filter_frame(frame: pd.DataFrame, team: str = ALL, role: str = ALL,
                 competency: str = ALL) -> pd.DataFrame:
    """Coverage rows of one team, role and competency (``(all)`` keeps every value)."""
    mask = frame[TEAM].notna()
    for column, value in ((TEAM, team), (ROLE, role), (COMPETENCY, competency)):
        if value != ALL:
            mask &= frame[column] == value
    result: pd.DataFrame = frame.loc[mask]
    return result


TABLE_STYLE = ("<style>.table-wrap{max-width:100%;overflow-x:auto}"
               ".table-wrap:focus-visible{outline:3px solid #0a4690}</style>")
"""Wide tables scroll sideways in their own box (focusable, so by keyboard too)."""
FOCUS_STYLE = ("<style>.cct-dashboard select:focus-visible,"
               ".cct-dashboard input:focus-visible{outline:3px solid #0a4690;"
               "outline-offset:1px}</style>")
"""A focus ring on the filters that stands out (ipywidgets' own is a light blue border)."""
SUMMARY_TITLE = "Requirements by competency and status"
HEATMAP_TITLE = "Share met by role and competency"
HEATMAP_ALT = ("Heatmap of the percentage of requirements met or expiring (still held) by "
               "role and competency, for the chosen filters; the same figures are in the "
               "table below it.")
SUMMARY_CAPTION = "Requirements in each status (columns) for each competency (rows)"
"""The summary table's caption (the heading above it says what it is for)."""
HEATMAP_TABLE_CAPTION = "The heatmap's figures: percentage held, by role (rows) and competency"
"""The caption of the table under the heatmap: its text alternative."""
HEATMAP_CAPTION = ("Each cell gives the percentage held: red for low, green for high; "
                   "* where a figure is suppressed, blank where the role does not require "
                   "the competency.")


def summary_html(frame: pd.DataFrame, rule: DisclosureRule) -> str:
    """Requirements by competency and status, protected, as an HTML table."""
    if frame.empty:
        return "<p>No requirements match these filters.</p>"
    table = published(protect(status_counts(frame, COMPETENCY), rule), COMPETENCY)
    return table_html(table, caption=SUMMARY_CAPTION)


def _heatmap_figures(frame: pd.DataFrame, rule: DisclosureRule, competencies: list[str]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The heatmap's shares and which cells the roles require."""
    shares = heatmap_shares(frame, rule, competencies)
    required = frame.groupby([ROLE, COMPETENCY], observed=True).size().unstack(
        fill_value=0).reindex(index=shares.index, columns=shares.columns, fill_value=0) > 0
    return shares, required


def heatmap(frame: pd.DataFrame, rule: DisclosureRule, competencies: list[str]) -> bytes:
    """The role x competency heatmap of the filtered rows, as SVG (the report's picture)."""
    return heatmap_svg(*_heatmap_figures(frame, rule, competencies))


def heatmap_html(frame: pd.DataFrame, rule: DisclosureRule, competencies: list[str]) -> str:
    """The heatmap of the filtered rows as a figure (the SVG with alt text and a caption),
    then its figures as a table; empty when no rows match."""
    if frame.empty:
        return ""
    shares, required = _heatmap_figures(frame, rule, competencies)
    return (figure_html(heatmap_svg(shares, required), HEATMAP_ALT, HEATMAP_CAPTION, SVG)
            + table_html(heatmap_table(shares, required),
                         caption=HEATMAP_TABLE_CAPTION))


class Dashboard:
    """The filters, the as-of date and the figures that follow them."""

    def __init__(self, frame: pd.DataFrame, framework: Framework,
                 rule: DisclosureRule | None = None, *, as_of: dt.date | None = None,
                 recompute: Callable[[dt.date], pd.DataFrame] | None = None,
                 source: str = "") -> None:
        import ipywidgets as widgets

        self.framework = framework
        self.recompute = recompute
        self.competencies = [c for c in framework.ids if c in set(frame[COMPETENCY])]
        self.frame = self._ordered(frame)
        self.rule = rule or DisclosureRule()

        def choices(values: Any) -> list[str]:
            return [ALL, *sorted({str(v) for v in values})]

        style = {"description_width": "6em"}  # room for "Competency"
        self.team = widgets.Dropdown(options=choices(frame[TEAM]), description="Team",
                                     style=style)
        self.role = widgets.Dropdown(options=choices(frame[ROLE]), description="Role",
                                     style=style)
        self.competency = widgets.Dropdown(options=[ALL, *self.competencies],
                                           description="Competency", style=style)
        self.date = widgets.DatePicker(value=as_of or dt.date.today(), description="As of",
                                       disabled=recompute is None, style=style)
        self.heatmap = widgets.HTML()
        self.summary = widgets.HTML()
        self.summary.add_class("cct-summary")
        self.rule_note = widgets.HTML(f"<p><em>{self.rule.describe()}</em></p>")
        self.source = widgets.HTML(f"<p>Data: {html.escape(source)}</p>" if source else "")
        for control in (self.team, self.role, self.competency):
            control.observe(self.update, names="value")
        self.date.observe(self.change_date, names="value")
        self.widget = widgets.VBox([
            self.source, widgets.HBox([self.date, self.team]),
            widgets.HBox([self.role, self.competency]), self.rule_note,
            widgets.HTML(f"{TABLE_STYLE}{FOCUS_STYLE}<h2>{HEATMAP_TITLE}</h2>"), self.heatmap,
            widgets.HTML(f"<h2>{SUMMARY_TITLE}</h2>"), self.summary])
        self.widget.add_class("cct-dashboard")
        self.update()

    def _ordered(self, frame: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        return frame.assign(**{COMPETENCY: pd.Categorical(
            frame[COMPETENCY], categories=self.competencies)})

    def change_date(self, _change: object = None) -> None:
        """Recompute coverage on the picked date (nothing when the picker is cleared)."""
        if self.recompute is None or self.date.value is None:
            return
        self.frame = self._ordered(self.recompute(self.date.value))
        self.update()

    def update(self, _change: object = None) -> None:
        """Redraw the heatmap and the summary for the current filters."""
        rows = filter_frame(self.frame, self.team.value, self.role.value, self.competency.value)
        self.summary.value = summary_html(rows, self.rule)
        self.heatmap.value = heatmap_html(rows, self.rule, self.competencies)


def coverage_dashboard(inputs: CoverageInputs | None = None, as_of: dt.date | None = None,
                       framework: Framework | None = None,
                       rule: DisclosureRule | None = None,
                       refresher_years: int = DEFAULT_REFRESHER_YEARS,
                       expiring_days: int = DEFAULT_EXPIRING_DAYS,
                       source: str = "") -> Any:
    """The dashboard widget on ``as_of`` (default today), its date picker recomputing
    coverage; the sample organisation on its anchor date when no inputs are given."""
    from competency.coverage.reports import coverage_frame
    from competency.framework.model import load_framework

    framework = framework or load_framework()
    if inputs is None:
        inputs = load_inputs(SAMPLE_ORG / "roles.csv", SAMPLE_ORG / "staff.csv",
                             SAMPLE_ORG / "evidence.csv", framework)
        as_of = as_of or SAMPLE_AS_OF
    chosen = inputs

    def on(day: dt.date) -> pd.DataFrame:
        frame, _ = coverage_frame(chosen, CoverageOptions(day, refresher_years, expiring_days))
        return frame

    day = as_of or dt.date.today()
    return Dashboard(on(day), framework, rule, as_of=day, recompute=on, source=source).widget
