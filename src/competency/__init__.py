"""Cultural Capability Toolkit: competency frameworks, course maps and learner helpers.

The public API is re-exported here and loaded on first use, so that ``import
competency`` (and a learner's ``from competency.exercises import answer``) loads no
back-office library. The CLI (``competency``) is a thin layer over the API.

Modules moved into area subpackages keep their old import paths
(``competency.exercises`` is :mod:`competency.course.exercises`): released learner
copies and nbgrader's stored locked cells import them by the old names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

MOVED_MODULES: dict[str, str] = {
    "autograde": "competency.grading.autograde",
    "casestudies": "competency.course.casestudies",
    "catalogue": "competency.training.catalogue",
    "dashboard": "competency.coverage.dashboard",
    "decisions": "competency.hr.decisions",
    "directory.organisations": "competency.directory.entries",
    "disclosure": "competency.coverage.disclosure",
    "documents": "competency.hr.documents",
    "exercises": "competency.course.exercises",
    "feedback": "competency.grading.feedback",
    "gradeworker": "competency.grading.worker",
    "lab": "competency.course.lab",
    "moodle": "competency.framework.moodle",
    "nbgraderglue": "competency.grading.nbgraderhooks",
    "personspec": "competency.hr.personspec",
    "phrases": "competency.hr.phrases",
    "reportfiles": "competency.coverage.reportfiles",
    "reports": "competency.coverage.reports",
    "reviews": "competency.training.reviews",
    "roles": "competency.hr.roles",
    "sandbox": "competency.grading.sandbox",
    "sharedgradebook": "competency.grading.sharedgradebook",
    "shellrun": "competency.grading.shellrun",
    "staff": "competency.hr.staff",
    "suggest": "competency.hr.suggest",
    "synthetic": "competency.evidence.synthetic",
    "vocabulary": "competency.directory.vocabulary",
    "widgets": "competency.course.widgets",
}
"""Former module paths (``competency.<key>``) and the modules they now are."""

_EXPORTS: dict[str, str] = {
    "AnswerError": "competency.errors",
    "Catalogue": "competency.training.reviews",
    "Competency": "competency.framework.model",
    "CompetencyError": "competency.errors",
    "Config": "competency.config",
    "ConfigError": "competency.errors",
    "CourseError": "competency.errors",
    "CourseMap": "competency.course.coursemap",
    "Decision": "competency.hr.decisions",
    "DecisionError": "competency.errors",
    "DirectoryEntryError": "competency.errors",
    "DirectoryError": "competency.errors",
    "DirectoryLookupError": "competency.errors",
    "DirectoryRowsError": "competency.errors",
    "DisclosureError": "competency.errors",
    "DisclosureRule": "competency.coverage.disclosure",
    "Document": "competency.hr.documents",
    "DocumentError": "competency.errors",
    "Evidence": "competency.hr.suggest",
    "EvidenceRecord": "competency.evidence.records",
    "Framework": "competency.framework.model",
    "FrameworkError": "competency.errors",
    "GradebookError": "competency.errors",
    "GradedCell": "competency.course.coursemap",
    "GradingError": "competency.errors",
    "GradingReport": "competency.grading.grader",
    "InputFileError": "competency.errors",
    "InterviewQuestionsError": "competency.errors",
    "Level": "competency.framework.model",
    "Limits": "competency.grading.sandbox",
    "Organisation": "competency.directory.entries",
    "PersonSpec": "competency.hr.personspec",
    "PhrasesError": "competency.errors",
    "ProtectedTable": "competency.coverage.disclosure",
    "QuestionError": "competency.errors",
    "ReportOptions": "competency.coverage.reports",
    "Requirement": "competency.hr.roles",
    "Review": "competency.training.reviews",
    "ReviewError": "competency.errors",
    "ReviewLog": "competency.training.reviews",
    "RoleError": "competency.errors",
    "Roles": "competency.hr.roles",
    "StoreError": "competency.errors",
    "StudentResult": "competency.grading.grader",
    "Suggestion": "competency.hr.suggest",
    "TableError": "competency.errors",
    "UsageError": "competency.errors",
    "append_decisions": "competency.hr.decisions",
    "apply_decisions": "competency.hr.decisions",
    "build_person_spec": "competency.hr.personspec",
    "build_report": "competency.coverage.reports",
    "course_map": "competency.course.coursemap",
    "default_framework_path": "competency.framework.model",
    "dump_framework": "competency.framework.model",
    "export_directory": "competency.directory.entries",
    "export_evidence": "competency.evidence.records",
    "export_moodle_csv": "competency.framework.moodle",
    "export_person_spec": "competency.hr.personspec",
    "find_config": "competency.config",
    "grade": "competency.grading.grader",
    "import_directory": "competency.directory.entries",
    "import_evidence_file": "competency.evidence.records",
    "import_gradebook": "competency.evidence.records",
    "import_moodle_csv": "competency.framework.moodle",
    "read_moodle_csv": "competency.framework.moodle",
    "load_catalogue": "competency.training.reviews",
    "load_config": "competency.config",
    "load_decisions": "competency.hr.decisions",
    "load_framework": "competency.framework.model",
    "load_languages": "competency.directory.entries",
    "load_question_bank": "competency.hr.personspec",
    "load_roles": "competency.hr.roles",
    "load_skills": "competency.directory.entries",
    "make_decisions": "competency.hr.decisions",
    "make_report": "competency.coverage.reports",
    "make_review": "competency.training.reviews",
    "parse_framework": "competency.framework.model",
    "protect": "competency.coverage.disclosure",
    "read_document": "competency.hr.documents",
    "read_evidence_file": "competency.evidence.records",
    "read_gradebook": "competency.evidence.records",
    "review_status": "competency.training.reviews",
    "save_roles": "competency.hr.roles",
    "suggest_file": "competency.hr.suggest",
    "write_person_spec": "competency.hr.personspec",
}
"""Public name -> the module defining it (imported on first use)."""


class _MovedModuleLoader(importlib.abc.Loader):
    """Loads a former module path as the module it moved to (the same module object)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module is already imported. The import system has
        just given it the former path's spec; it gets its own back (``importlib.reload``
        and tools that read ``__spec__.name`` see the module's real name)."""
        module.__spec__ = self.own_spec


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds ``competency.<former name>`` for the names in :data:`MOVED_MODULES`."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, name = fullname.partition(".")
        if prefix != __name__ or name not in MOVED_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname,
                                               _MovedModuleLoader(MOVED_MODULES[name]))


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in MOVED_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
    from competency.config import (
        Config as Config,
    )
    from competency.config import (
        find_config as find_config,
    )
    from competency.config import (
        load_config as load_config,
    )
    from competency.course.coursemap import (
        CourseMap as CourseMap,
    )
    from competency.course.coursemap import (
        GradedCell as GradedCell,
    )
    from competency.course.coursemap import (
        course_map as course_map,
    )
    from competency.coverage.disclosure import (
        DisclosureRule as DisclosureRule,
    )
    from competency.coverage.disclosure import (
        ProtectedTable as ProtectedTable,
    )
    from competency.coverage.disclosure import (
        protect as protect,
    )
    from competency.coverage.reports import (
        ReportOptions as ReportOptions,
    )
    from competency.coverage.reports import (
        build_report as build_report,
    )
    from competency.coverage.reports import (
        make_report as make_report,
    )
    from competency.directory.entries import (
        Organisation as Organisation,
    )
    from competency.directory.entries import (
        export_directory as export_directory,
    )
    from competency.directory.entries import (
        import_directory as import_directory,
    )
    from competency.directory.entries import (
        load_languages as load_languages,
    )
    from competency.directory.entries import (
        load_skills as load_skills,
    )
    from competency.errors import (
        AnswerError as AnswerError,
    )
    from competency.errors import (
        CompetencyError as CompetencyError,
    )
    from competency.errors import (
        ConfigError as ConfigError,
    )
    from competency.errors import (
        CourseError as CourseError,
    )
    from competency.errors import (
        DecisionError as DecisionError,
    )
    from competency.errors import (
        DirectoryEntryError as DirectoryEntryError,
    )
    from competency.errors import (
        DirectoryError as DirectoryError,
    )
    from competency.errors import (
        DirectoryLookupError as DirectoryLookupError,
    )
    from competency.errors import (
        DirectoryRowsError as DirectoryRowsError,
    )
    from competency.errors import (
        DisclosureError as DisclosureError,
    )
    from competency.errors import (
        DocumentError as DocumentError,
    )
    from competency.errors import (
        FrameworkError as FrameworkError,
    )
    from competency.errors import (
        GradebookError as GradebookError,
    )
    from competency.errors import (
        GradingError as GradingError,
    )
    from competency.errors import (
        InputFileError as InputFileError,
    )
    from competency.errors import (
        InterviewQuestionsError as InterviewQuestionsError,
    )
    from competency.errors import (
        PhrasesError as PhrasesError,
    )
    from competency.errors import (
        QuestionError as QuestionError,
    )
    from competency.errors import (
        ReviewError as ReviewError,
    )
    from competency.errors import (
        RoleError as RoleError,
    )
    from competency.errors import (
        StoreError as StoreError,
    )
    from competency.errors import (
        TableError as TableError,
    )
    from competency.errors import (
        UsageError as UsageError,
    )
    from competency.evidence.records import (
        EvidenceRecord as EvidenceRecord,
    )
    from competency.evidence.records import (
        export_evidence as export_evidence,
    )
    from competency.evidence.records import (
        import_evidence_file as import_evidence_file,
    )
    from competency.evidence.records import (
        import_gradebook as import_gradebook,
    )
    from competency.evidence.records import (
        read_evidence_file as read_evidence_file,
    )
    from competency.evidence.records import (
        read_gradebook as read_gradebook,
    )
    from competency.framework.model import (
        Competency as Competency,
    )
    from competency.framework.model import (
        Framework as Framework,
    )
    from competency.framework.model import (
        Level as Level,
    )
    from competency.framework.model import (
        default_framework_path as default_framework_path,
    )
    from competency.framework.model import (
        dump_framework as dump_framework,
    )
    from competency.framework.model import (
        load_framework as load_framework,
    )
    from competency.framework.model import (
        parse_framework as parse_framework,
    )
    from competency.framework.moodle import (
        export_moodle_csv as export_moodle_csv,
    )
    from competency.framework.moodle import (
        import_moodle_csv as import_moodle_csv,
    )
    from competency.framework.moodle import (
        read_moodle_csv as read_moodle_csv,
    )
    from competency.grading.grader import (
        GradingReport as GradingReport,
    )
    from competency.grading.grader import (
        StudentResult as StudentResult,
    )
    from competency.grading.grader import (
        grade as grade,
    )
    from competency.grading.sandbox import (
        Limits as Limits,
    )
    from competency.hr.decisions import (
        Decision as Decision,
    )
    from competency.hr.decisions import (
        append_decisions as append_decisions,
    )
    from competency.hr.decisions import (
        apply_decisions as apply_decisions,
    )
    from competency.hr.decisions import (
        load_decisions as load_decisions,
    )
    from competency.hr.decisions import (
        make_decisions as make_decisions,
    )
    from competency.hr.documents import (
        Document as Document,
    )
    from competency.hr.documents import (
        read_document as read_document,
    )
    from competency.hr.personspec import (
        PersonSpec as PersonSpec,
    )
    from competency.hr.personspec import (
        build_person_spec as build_person_spec,
    )
    from competency.hr.personspec import (
        export_person_spec as export_person_spec,
    )
    from competency.hr.personspec import (
        load_question_bank as load_question_bank,
    )
    from competency.hr.personspec import (
        write_person_spec as write_person_spec,
    )
    from competency.hr.roles import (
        Requirement as Requirement,
    )
    from competency.hr.roles import (
        Roles as Roles,
    )
    from competency.hr.roles import (
        load_roles as load_roles,
    )
    from competency.hr.roles import (
        save_roles as save_roles,
    )
    from competency.hr.suggest import (
        Evidence as Evidence,
    )
    from competency.hr.suggest import (
        Suggestion as Suggestion,
    )
    from competency.hr.suggest import (
        suggest_file as suggest_file,
    )
    from competency.training.reviews import (
        Catalogue as Catalogue,
    )
    from competency.training.reviews import (
        Review as Review,
    )
    from competency.training.reviews import (
        ReviewLog as ReviewLog,
    )
    from competency.training.reviews import (
        load_catalogue as load_catalogue,
    )
    from competency.training.reviews import (
        make_review as make_review,
    )
    from competency.training.reviews import (
        review_status as review_status,
    )

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
    "DirectoryEntryError",
    "DirectoryError",
    "DirectoryLookupError",
    "DirectoryRowsError",
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
    "GradingError",
    "GradingReport",
    "InputFileError",
    "InterviewQuestionsError",
    "Level",
    "Limits",
    "Organisation",
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
    "StudentResult",
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
    "export_directory",
    "export_evidence",
    "export_moodle_csv",
    "export_person_spec",
    "find_config",
    "grade",
    "import_directory",
    "import_evidence_file",
    "import_gradebook",
    "import_moodle_csv",
    "load_catalogue",
    "load_config",
    "load_decisions",
    "load_framework",
    "load_languages",
    "load_question_bank",
    "load_roles",
    "load_skills",
    "make_decisions",
    "make_report",
    "make_review",
    "parse_framework",
    "protect",
    "read_document",
    "read_evidence_file",
    "read_gradebook",
    "read_moodle_csv",
    "review_status",
    "save_roles",
    "suggest_file",
    "write_person_spec",
]
