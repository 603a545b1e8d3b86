"""nbgrader's global configuration on the trust's hub: install as /etc/jupyter/nbgrader_config.py.

Every learner's and trainer's own server and the grader service read it. It names the
course, the exchange (the shared folder releases, submissions and feedback pass
through) and lets nbgrader ask the hub who takes which course.

Never set CourseDirectory.student_id here: the grader service reads this file too, and
a student id would limit collecting and grading to that one learner.
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821

c.CourseDirectory.course_id = "cultural-capability"

# Everyone must be able to write into it; nbgrader sets the permissions below it.
c.Exchange.root = "/srv/nbgrader/exchange"
# Keep each course in its own folder of the exchange and of learners' home folders,
# so a second course can join later without clashes.
c.Exchange.path_includes_course = True

# Learners see the course when they are in the hub group nbgrader-cultural-capability;
# trainers adding learners in the formgrader puts them there.
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
