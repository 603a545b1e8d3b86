"""The course: its map from cell tags, learner helpers, practice widgets, case studies, JupyterLab.

The names of the former module ``competency.course`` are re-exported here, so
``from competency.course import ...`` keeps working.
"""

from competency.course.coursemap import (
    COMPETENCY_TAG,
    DEFAULT_COURSE_DIR,
    DEFAULT_LEVEL,
    LEVEL_TAG,
    CourseMap,
    GradedCell,
    course_map,
    graded_cells,
    iter_notebooks,
)

__all__ = [
    "COMPETENCY_TAG",
    "DEFAULT_COURSE_DIR",
    "DEFAULT_LEVEL",
    "LEVEL_TAG",
    "CourseMap",
    "GradedCell",
    "course_map",
    "graded_cells",
    "iter_notebooks",
]
