"""The organisation's configuration for the HR notebooks and the dashboard.

``competency dashboard --config FILE`` names the trust's ``competency.toml`` in
:data:`~competency.coverage.dashboard.CONFIG_ENV`; the notebooks in
``notebooks/hr/`` call :func:`notebook_config` (or :func:`config_dashboard`) to
read it, and fall back to the sample organisation's config, which pins its own
as-of date so its figures never age. The coverage area never reads the
configuration itself: this module, at the top with the rest of the command line,
passes its values in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competency.coverage.dashboard import CONFIG_ENV, SAMPLE_ORG
from competency.errors import ConfigError

if TYPE_CHECKING:
    from competency.config import Config

SAMPLE_CONFIG = SAMPLE_ORG / "competency.toml"
"""The sample organisation's config (the fictional Northmoor Rural Health NHS Trust)."""
DASHBOARD_DATA = ("roles", "staff", "evidence")
"""The ``[data]`` files the dashboard needs."""


def config_path(path: str | Path | None = None) -> Path:
    """``path``, else the file named in :data:`CONFIG_ENV`, else :data:`SAMPLE_CONFIG`."""
    chosen = path if path is not None else os.environ.get(CONFIG_ENV) or SAMPLE_CONFIG
    return Path(chosen)


def notebook_config(path: str | Path | None = None) -> Config:
    """The configuration a notebook works with (see :func:`config_path`), validated."""
    from competency.config import load_config

    return load_config(config_path(path))


def config_dashboard(path: str | Path | None = None) -> Any:
    """The coverage dashboard over the organisation of a config (see :func:`config_path`):
    its data files, framework, ``[coverage]`` settings (``as_of`` or today) and
    ``[report]`` disclosure rule."""
    from competency.coverage.dashboard import coverage_dashboard
    from competency.coverage.disclosure import DisclosureRule
    from competency.coverage.statuses import load_inputs
    from competency.framework.model import load_framework

    cfg = notebook_config(path)
    source = cfg.path or config_path(path)
    files = [getattr(cfg.data, name) for name in DASHBOARD_DATA]
    if any(f is None for f in files):
        unset = ", ".join(f"data.{n}" for n, f in zip(DASHBOARD_DATA, files, strict=True)
                          if f is None)
        raise ConfigError(source, f"the dashboard needs data.roles, data.staff and "
                          f"data.evidence ({unset} not set)")
    roles, staff, evidence = (Path(str(f)) for f in files)
    fw = load_framework(cfg.framework)
    rule = DisclosureRule(cfg.report.suppress, cfg.report.threshold, cfg.report.round_to)
    return coverage_dashboard(load_inputs(roles, staff, evidence, fw), cfg.coverage.as_of, fw,
                              rule, cfg.coverage.refresher_years, cfg.coverage.expiring_days,
                              source=str(source))
