"""nbgrader configuration for the Cultural Capability Toolkit course.

Run nbgrader commands from this folder (or pass --CourseDirectory.root).
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821

c.CourseDirectory.course_id = "cultural-capability"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."

# Learners answer by filling in templates such as
#     q3 = answer("q3",
#         ...  # YOUR ANSWER HERE
#     )
# so the stub left in place of a solution is an Ellipsis that `answer` explains.
c.ClearSolutions.code_stub = {"python": "...  # YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell timeout while autograding (nbgrader ignores ExecutePreprocessor.timeout).
c.Execute.timeout = 60

# Every module ships its question bank beside the notebook.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
