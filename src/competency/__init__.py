"""Cultural Capability Toolkit: competency frameworks, course maps and learner helpers.

The public API is re-exported here; the CLI (``competency``) is a thin layer over it.
"""

from competency.course import CourseMap, GradedCell, course_map
from competency.errors import (
    AnswerError,
    CompetencyError,
    CourseError,
    FrameworkError,
    InputFileError,
    QuestionError,
    UsageError,
)
from competency.framework import (
    Competency,
    Framework,
    Level,
    default_framework_path,
    dump_framework,
    load_framework,
    parse_framework,
)
from competency.moodle import export_moodle_csv, import_moodle_csv

__version__ = "0.1.0"

__all__ = [
    "AnswerError",
    "Competency",
    "CompetencyError",
    "CourseError",
    "CourseMap",
    "Framework",
    "FrameworkError",
    "GradedCell",
    "InputFileError",
    "Level",
    "QuestionError",
    "UsageError",
    "__version__",
    "course_map",
    "default_framework_path",
    "dump_framework",
    "export_moodle_csv",
    "import_moodle_csv",
    "load_framework",
    "parse_framework",
]
