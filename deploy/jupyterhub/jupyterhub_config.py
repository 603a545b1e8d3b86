"""JupyterHub for a trust: the Cultural Capability Toolkit course, graded with nbgrader.

Install as /etc/jupyterhub/jupyterhub_config.py beside grader_server_config.py (README.md
in this folder has the steps). One server, one hub:

* learners (hub group ``nbgrader-cultural-capability``) and trainers (hub group
  ``formgrade-cultural-capability``) each get a JupyterLab of their own, in which
  nbgrader's Assignments tab fetches and submits modules through the exchange;
* the grader service ``cultural-capability`` is one shared JupyterLab running as the
  grader account with the course directory as its root, reachable by trainers only,
  at /services/cultural-capability/ (the formgrader is /services/cultural-capability/formgrader).

Site settings come from environment variables (set in the systemd unit); the defaults
match the layout in README.md:

CCT_COURSE_ROOT    the course directory the grader service grades
                   (default /srv/nbgrader/cultural-capability)
CCT_GRADER_PORT    loopback port of the grader service (default 9999)
CCT_HUB_BIND_URL   where the hub's proxy listens (default http://127.0.0.1:8000, behind
                   the trust's TLS reverse proxy)
CCT_HUB_DB_URL     the hub's own database (default: jupyterhub.sqlite in the working
                   directory; a postgresql:// URL for a bigger hub)
CCT_HUB_ADMINS     comma-separated hub administrators (default: none)
"""

import os
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821

COURSE_ID = "cultural-capability"
LEARNERS = f"nbgrader-{COURSE_ID}"  # nbgrader's JupyterHubAuthPlugin: who takes the course
TRAINERS = f"formgrade-{COURSE_ID}"  # ... and who grades it
GRADER = f"grader-{COURSE_ID}"  # the account the grader service runs as
HERE = Path(__file__).resolve().parent

COURSE_ROOT = os.environ.get("CCT_COURSE_ROOT", f"/srv/nbgrader/{COURSE_ID}")
GRADER_PORT = int(os.environ.get("CCT_GRADER_PORT", "9999"))

c.JupyterHub.bind_url = os.environ.get("CCT_HUB_BIND_URL", "http://127.0.0.1:8000")
if os.environ.get("CCT_HUB_DB_URL"):
    c.JupyterHub.db_url = os.environ["CCT_HUB_DB_URL"]

# Who may log in: the people an administrator adds (admin page or REST API). The hub's
# default authenticator checks local accounts; for NHSmail / Entra ID see README.md.
c.Authenticator.allow_existing_users = True
c.Authenticator.admin_users = {
    name.strip() for name in os.environ.get("CCT_HUB_ADMINS", "").split(",") if name.strip()
}

# Everyone's own server opens JupyterLab, without a formgrader of its own: grading
# happens in the grader service only (an own formgrader would show an empty course).
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False"]
# The server's own token may also read its user's groups (nbgrader's JupyterHubAuthPlugin
# asks which courses its user takes) and list the services (nbgrader's Courses tab finds
# the grader service); a user only ever gets the part of these they hold themselves.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:name!user",
    "read:users:groups!user",
    "list:services",
    "read:services",
]

# The two groups nbgrader's JupyterHubAuthPlugin reads. Learners join the first when a
# trainer adds them to the course (formgrader: Manage Students, or `nbgrader db student
# add`); trainers are added to the second by an administrator.
c.JupyterHub.load_groups = {
    LEARNERS: {"users": []},
    TRAINERS: {"users": [GRADER]},
}

c.JupyterHub.load_roles = [
    {
        "name": "cct-trainer",
        "description": "Trainers: use the course's grader service (the formgrader).",
        "scopes": [
            f"access:services!service={COURSE_ID}",
            "list:services",
            f"read:services!service={COURSE_ID}",
        ],
        "groups": [TRAINERS],
    },
    {
        "name": "cct-grader-service",
        "description": "The grader service: puts learners added to the course in its "
        "learners' group and reads group membership (nbgrader's JupyterHubAuthPlugin).",
        "scopes": [
            "list:groups",
            "read:groups",
            f"groups!group={LEARNERS}",
            "read:users:name",
            "read:users:groups",
        ],
        "services": [COURSE_ID],
    },
]

# The shared grader service: one JupyterLab as the grader account, rooted at the course
# directory, so every trainer sees the same gradebook, submissions and feedback. Its own
# Jupyter Server settings (framing, landing page) are in grader_server_config.py.
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "display": True,
        "info": {"description": "Formgrader for the Cultural Capability Toolkit course"},
        "url": f"http://127.0.0.1:{GRADER_PORT}",
        "command": [
            "jupyterhub-singleuser",
            f"--config={HERE / 'grader_server_config.py'}",
        ],
        "user": GRADER,
        "cwd": COURSE_ROOT,
        # nbgrader's JupyterHubAuthPlugin names the acting account from JUPYTERHUB_USER
        # (the hub sets it from "user"; said here so it holds whoever runs the service).
        "environment": {"JUPYTERHUB_USER": GRADER},
        # A service of this hub: no "authorize access" page after login.
        "oauth_no_confirm": True,
    },
]
