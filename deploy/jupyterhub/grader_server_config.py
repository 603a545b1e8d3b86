"""Jupyter Server settings for the grader service only (never for anyone's own server).

jupyterhub_config.py starts the service with ``--config`` pointing here.

Framing. Since JupyterHub 4.1 every single-user server sends
``Content-Security-Policy: frame-ancestors 'none'``, so no page of the hub's origin can
show it in an iframe (a same-origin deployment would otherwise let one user's pages
frame another's). nbgrader's JupyterLab *Formgrader* panel is such an iframe: it shows
the server's own /formgrader inside the server's own JupyterLab, and goes blank
(nbgrader issue #1870; nbgrader reverted its own relaxation for security, PR #1947).

Here only the grader service, which only trainers can reach, lets pages of its own
origin frame it, so the Formgrader panel of the grader service's JupyterLab works
(nbgrader's Courses tab opens exactly that). The hub's pages and every learner's and
trainer's own server keep 'none'. Without this, trainers open the formgrader in a tab
of its own, /services/cultural-capability/formgrader, which needs no framing at all:
set FRAME_ANCESTORS to "'none'" to keep JupyterHub's default here too. With
``JupyterHub.enable_subdomains`` (each server on its own host name), 'self' means this
service alone.
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821

FRAME_ANCESTORS = "'self'"

c.ServerApp.tornado_settings = {
    "headers": {"Content-Security-Policy": f"frame-ancestors {FRAME_ANCESTORS}"},
}

# /services/cultural-capability/ opens the formgrader itself, in its own tab.
c.ServerApp.default_url = "/formgrader"
