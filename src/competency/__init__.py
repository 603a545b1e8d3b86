"""Cultural Capability Toolkit: competency frameworks, course maps and learner helpers.

The public API is re-exported here; the CLI (``competency``) is a thin layer over it.
"""

from competency.config import Config, find_config, load_config
from competency.course import CourseMap, GradedCell, course_map
from competency.decisions import (
    Decision,
    append_decisions,
    apply_decisions,
    load_decisions,
    make_decisions,
)
from competency.disclosure import DisclosureRule, ProtectedTable, protect
from competency.documents import Document, read_document
from competency.errors import (
    AnswerError,
    CompetencyError,
    ConfigError,
    CourseError,
    DecisionError,
    DisclosureError,
    DocumentError,
    FrameworkError,
    GradebookError,
    InputFileError,
    InterviewQuestionsError,
    PhrasesError,
    QuestionError,
    ReviewError,
    RoleError,
    StoreError,
    TableError,
    UsageError,
)
from competency.evidence import (
    EvidenceRecord,
    export_evidence,
    import_evidence_file,
    import_gradebook,
    read_evidence_file,
    read_gradebook,
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
from competency.personspec import (
    PersonSpec,
    build_person_spec,
    export_person_spec,
    load_question_bank,
    write_person_spec,
)
from competency.reports import ReportOptions, build_report, make_report
from competency.reviews import (
    Catalogue,
    Review,
    ReviewLog,
    load_catalogue,
    make_review,
    review_status,
)
from competency.roles import Requirement, Roles, load_roles, save_roles
from competency.suggest import Evidence, Suggestion, suggest_file  # not suggest(): the module

__version__ = "0.1.0"

__all__ = [
    "AnswerError",
    "Catalogue",
    "Competency",
    "CompetencyError",
    "Config",
    "ConfigError",
    "CourseError",
    "CourseMap",
    "Decision",
    "DecisionError",
    "DisclosureError",
    "DisclosureRule",
    "Document",
    "DocumentError",
    "Evidence",
    "EvidenceRecord",
    "Framework",
    "FrameworkError",
    "GradebookError",
    "GradedCell",
    "InputFileError",
    "InterviewQuestionsError",
    "Level",
    "PersonSpec",
    "PhrasesError",
    "ProtectedTable",
    "QuestionError",
    "ReportOptions",
    "Requirement",
    "Review",
    "ReviewError",
    "ReviewLog",
    "RoleError",
    "Roles",
    "StoreError",
    "Suggestion",
    "TableError",
    "UsageError",
    "__version__",
    "append_decisions",
    "apply_decisions",
    "build_person_spec",
    "build_report",
    "course_map",
    "default_framework_path",
    "dump_framework",
    "export_evidence",
    "export_moodle_csv",
    "export_person_spec",
    "find_config",
    "import_evidence_file",
    "import_gradebook",
    "import_moodle_csv",
    "load_catalogue",
    "load_config",
    "load_decisions",
    "load_framework",
    "load_question_bank",
    "load_roles",
    "make_decisions",
    "make_report",
    "make_review",
    "parse_framework",
    "protect",
    "read_document",
    "read_evidence_file",
    "read_gradebook",
    "review_status",
    "save_roles",
    "suggest_file",
    "write_person_spec",
]
