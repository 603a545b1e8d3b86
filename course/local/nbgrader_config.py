"""nbgrader configuration for the local lab (``competency lab`` / ``make start``).

``competency lab`` puts this folder on JUPYTER_CONFIG_PATH so that nbgrader's
JupyterLab extensions (formgrader, Assignments, Validate) find the course's own
configuration, and use a local exchange folder, ``course/exchange/``, instead
of the system-wide /usr/local/share/nbgrader/exchange. JupyterHub deployments
use their own configuration (deploy/jupyterhub/nbgrader_config.py).
"""

import os

c = get_config()  # type: ignore[name-defined]  # noqa: F821

_course = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # type: ignore[name-defined]  # noqa: F821
c.CourseDirectory.root = _course
c.Exchange.root = os.path.join(_course, "exchange")
