"""Every use of nbgrader's (and nbconvert's) private or undocumented internals.

nbgrader 0.9.6 offers ``nbgrader autograde`` as a whole; grading fast needs it split
around execution, with one gradebook connection and a compiled schema check. What
that takes beyond nbgrader's public API lives here, and only here:

* :class:`Grader` drives nbgrader's :class:`~nbgrader.converters.Autograde` converter
  submission by submission, split in two around execution: :meth:`Grader.sanitize`
  (``init_destination``, ``init_assignment``, the sanitize preprocessors) and
  :meth:`Grader.apply_and_save` (the autograde preprocessors, with ``Execute``
  replaced by one that applies the sandbox's outputs:
  :func:`competency.grading.autograde.apply_outputs`);
* :func:`autograde_classes` subclasses the converter and nbgrader's metadata
  validator;
* :func:`shared_gradebook` swaps ``Gradebook`` in five nbgrader modules for one
  shared connection (:mod:`competency.grading.sharedgradebook`);
* :func:`remove_hidden_test_region` calls ``ClearHiddenTests``' private helper;
* :func:`import_nbgrader` imports nbgrader without its Jupyter server extensions,
  jsonschema's IRI grammar, setuptools, requests and BeautifulSoup, which grading
  never calls (more than half of nbgrader's import time).

:data:`HOOKS` lists each nbgrader (or nbconvert) name relied on, the parameters it
had in the version checked (:data:`CHECKED_VERSION`) and why it is needed;
:func:`check_hooks` raises :class:`~competency.errors.GradingError` naming what an
installed nbgrader lacks, and runs at the start of every grading run. Everything
nbgrader is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import importlib.util
import inspect
import json
import logging
import os
import re
import shutil
import sys
import types
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from competency.errors import GradingError
from competency.grading.autograde import apply_outputs, stopped
from competency.grading.messages import NotebookResult
from competency.grading.sandbox import remove_tree
from competency.grading.sharedgradebook import (
    DeferredSession,
    borrowed_class,
    clear_caches,
    clear_submission_cache,
)

PARTIAL = ".partial"
"""Suffix of the hidden sibling a submission's autograded folder is written in."""

CHECKED_VERSION = "0.9.6"
"""The nbgrader version every hook below was checked against."""


@dataclass(frozen=True)
class Hook:
    """One nbgrader (or nbconvert) name this module relies on."""

    module: str
    """The module that defines it, e.g. ``nbgrader.converters.base``."""
    attribute: str
    """Its dotted path in the module, e.g. ``BaseConverter._format_dest``."""
    parameters: tuple[str, ...] | None
    """The callable's parameter names in :data:`CHECKED_VERSION`; None: it must exist."""
    why: str
    """What grading needs it for."""


_BASE, _AUTOGRADE = "nbgrader.converters.base", "nbgrader.converters.autograde"
_GRADEBOOK_MODULES = (_AUTOGRADE, "nbgrader.preprocessors.overwritecells",
                      "nbgrader.preprocessors.overwritekernelspec",
                      "nbgrader.preprocessors.saveautogrades",
                      "nbgrader.preprocessors.latesubmissions")
_STEP = "Autograde.start runs it for all submissions at once; we run each step per submission"

HOOKS: tuple[Hook, ...] = (
    # The converter's steps (nbgrader 0.9.6 documents only ``start``): driven one
    # submission at a time, so that execution can happen elsewhere in between.
    Hook(_BASE, "BaseConverter._format_dest", ("self", "assignment_id", "student_id", "escape"),
         "the autograded folder of a submission, as nbgrader names it; overridden so "
         "that a submission is written into a staging folder, renamed once committed"),
    Hook(_BASE, "BaseConverter._format_source",
         ("self", "assignment_id", "student_id", "escape"),
         "the pattern matching submitted folders, to read student ids from them"),
    Hook(_BASE, "BaseConverter.init_notebooks", ("self",), _STEP),
    Hook(_BASE, "BaseConverter.init_destination", ("self", "assignment_id", "student_id"),
         _STEP),
    Hook(_BASE, "BaseConverter.init_single_notebook_resources",
         ("self", "notebook_filename"), _STEP),
    Hook(_BASE, "BaseConverter.write_single_notebook", ("self", "output", "resources"), _STEP),
    Hook(_BASE, "BaseConverter.set_permissions", ("self", "assignment_id", "student_id"),
         _STEP),
    Hook(_BASE, "BaseConverter.run_pre_convert_hook", ("self",), _STEP),
    Hook(_BASE, "BaseConverter.run_post_convert_hook", ("self",), _STEP),
    Hook(_BASE, "BaseConverter.exporter_class", None, _STEP),
    Hook(_BASE, "BaseConverter.notebooks", None, _STEP),
    Hook(_BASE, "BaseConverter.assignments", None,
         "the submitted folders init_notebooks found, by folder"),
    Hook(_BASE, "BaseConverter.writer", None, _STEP),
    Hook(_BASE, "BaseConverter.exporter", None, _STEP),
    Hook(_AUTOGRADE, "Autograde.init_assignment", ("self", "assignment_id", "student_id"),
         _STEP),
    Hook(_AUTOGRADE, "Autograde._sanitizing", None,
         "selects the sanitize or the autograde preprocessor chain"),
    Hook(_AUTOGRADE, "Autograde._init_preprocessors", ("self",),
         "overridden to put our execution step and metadata check in the chain"),
    Hook(_AUTOGRADE, "Autograde.sanitize_preprocessors", None, "the chain before execution"),
    Hook(_AUTOGRADE, "Autograde.autograde_preprocessors", None, "the chain after execution"),
    # nbconvert (checked with the nbconvert nbgrader 0.9.6 installs).
    Hook("nbconvert.exporters.exporter", "Exporter._preprocessors", None,
         "cleared before registering the chain, as nbgrader's own _init_preprocessors does"),
    Hook("nbconvert.exporters.exporter", "Exporter.from_notebook_node",
         ("self", "nb", "resources", "kw"),
         "runs the sanitize chain and keeps the notebook in memory (NotebookExporter's "
         "override would serialise it)"),
    Hook("nbconvert.exporters.exporter", "Exporter.optimistic_validation", None,
         "validate once per chain instead of after every preprocessor"),
    # The gradebook: one connection shared by the converter and its preprocessors.
    *(Hook(module, "Gradebook", None, "swapped for the shared gradebook while grading")
      for module in _GRADEBOOK_MODULES),
    Hook("nbgrader.api", "Gradebook.__init__", ("self", "db_url", "course_id", "authenticator"),
         "the shared gradebook accepts the same arguments"),
    Hook("nbgrader.api", "Gradebook.check_course", ("self", "course_id", "kwargs"),
         "the shared gradebook checks the course nbgrader asks for"),
    # The metadata check, with nbgrader's schema compiled once.
    Hook("nbgrader.nbgraderformat.common", "BaseMetadataValidator.validate_cell",
         ("self", "cell"), "overridden to validate with a compiled schema"),
    Hook("nbgrader.nbgraderformat.common", "BaseMetadataValidator.validate_nb",
         ("self", "nb"), "one validator checks every notebook of the run"),
    Hook("nbgrader.nbgraderformat.v3", "MetadataValidatorV3.schema_version", None,
         "only metadata of this version take the compiled check"),
    Hook("nbgrader.nbgraderformat", "ValidationError", None,
         "raised as nbgrader's CheckCellMetadata raises it"),
    # Feedback without hidden tests.
    Hook("nbgrader.preprocessors.clearhiddentests",
         "ClearHiddenTests._remove_hidden_test_region", ("self", "cell"),
         "removes hidden tests from feedback copies with nbgrader's own delimiters"),
)
"""Every nbgrader (and nbconvert) name used beyond nbgrader's public API."""


def nbgrader_version() -> str:
    """The installed nbgrader's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nbgrader")
    except PackageNotFoundError:
        return "not installed"


def hook_problems() -> list[str]:
    """What the installed nbgrader lacks of :data:`HOOKS`, one line each."""
    problems = []
    for hook in HOOKS:
        name = f"{hook.module}.{hook.attribute}"
        try:
            found: Any = importlib.import_module(hook.module)
            for part in hook.attribute.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError):
            problems.append(f"{name} is missing ({hook.why})")
            continue
        if hook.parameters is None:
            continue
        try:
            params = tuple(inspect.signature(found).parameters)
        except (TypeError, ValueError):
            problems.append(f"{name} is no longer a function ({hook.why})")
            continue
        if params != hook.parameters:
            problems.append(f"{name} takes ({', '.join(params)}), not "
                            f"({', '.join(hook.parameters)}) ({hook.why})")
    return problems


def check_hooks() -> None:
    """Raise :class:`GradingError` when the installed nbgrader lacks a hooked name."""
    problems = hook_problems()
    if problems:
        raise GradingError(
            f"nbgrader {nbgrader_version()} is not compatible with competency grade, "
            f"which was checked against nbgrader {CHECKED_VERSION}: " + "; ".join(problems)
            + f"; install nbgrader=={CHECKED_VERSION}")


LOG = logging.getLogger("competency.grading.grader.nbgrader")

_DEFERRED = {
    # nbgrader/__init__.py imports its four Jupyter server extensions (jupyter_server,
    # tornado): grading calls none of them
    **{f"nbgrader.server_extensions.{name}": ("load_jupyter_server_extension",)
       for name in ("assignment_list", "course_list", "validate_assignment", "formgrader")},
    # jsonschema's format checks import it, which compiles a Lark grammar (0.9 s); only
    # "iri" formats use it, and no schema nbgrader or nbformat checks has one
    "rfc3987_syntax": ("is_valid_syntax",),
    # nbgrader.utils unpacks zip files with it (nbgrader zip_collect); imports setuptools
    "setuptools.archive_util": ("unpack_archive", "unpack_tarfile", "unpack_zipfile"),
    # nbgrader's JupyterHub authenticator calls it
    "requests": (),
    # nbconvert's HTML exporter and markdown filter parse HTML with it (feedback, not grading)
    "bs4": ("BeautifulSoup",),
}
"""Modules stood in for while nbgrader is imported, and the functions taken from them."""


class _StandIn(types.ModuleType):
    """A module imported on first use: its functions, and any other attribute, load it."""

    def __init__(self, name: str, functions: Sequence[str]) -> None:
        super().__init__(name, "A stand-in while nbgrader is imported.")
        for function in functions:
            setattr(self, function, self._deferred(function))

    def _real(self) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def _deferred(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._real(), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = f"{self.__name__}.{name}, imported on first call."
        return call

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._real(), name)


def import_nbgrader() -> None:
    """Import the nbgrader modules grading uses, deferring what it never calls (:data:`_DEFERRED`).

    While nbgrader is imported, each deferred module is a :class:`_StandIn` that
    imports the real module when used; the stand-ins are removed afterwards, so a later
    ``import`` gets the real module. A module that is not installed is not stood in
    for; if nbgrader's import fails with stand-ins, it is imported again without them.
    No garbage is collected during the import, and what it built is frozen
    (:func:`gc.freeze`) for the grading run, which unfreezes it when done.
    """
    if "nbgrader" in sys.modules:
        return
    collecting = gc.isenabled()
    gc.disable()  # what an import builds lives on: collecting during it is wasted work
    try:
        _import_nbgrader()
    finally:
        gc.freeze()  # nor after it (the grading run unfreezes when done)
        if collecting:
            gc.enable()


def _import_nbgrader() -> None:
    stand_ins = {}
    for module, functions in _DEFERRED.items():
        top = module.partition(".")[0]
        if module in sys.modules or (top != "nbgrader"
                                     and importlib.util.find_spec(top) is None):
            continue
        stand_ins[module] = _StandIn(module, functions)
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("nbgrader.apps.autogradeapp")
    except ImportError:
        for name in [m for m in sys.modules if m == "nbgrader" or m.startswith("nbgrader.")]:
            del sys.modules[name]
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    importlib.import_module("nbgrader.apps.autogradeapp")


class Skip(Exception):
    """nbgrader would not grade this submission now (already autograded)."""


class DeadKernelError(Exception):
    """A notebook did not run to its end: nbgrader fails the submission (its kernel died)."""


NATIVE_KERNEL = "python3"
"""The kernel ``competency grade`` runs in its own workers (jupyter_client's native one)."""


def kernel_name(nb: Any) -> str:
    """The kernel nbgrader's ``Execute`` would start for ``nb``, as nbclient chooses it."""
    name = str((nb.metadata.get("kernelspec") or {}).get("name") or "")
    return NATIVE_KERNEL if name in ("", "python") else name


def kernel_for(nb: Any) -> dict[str, Any] | None:
    """The kernelspec ``nb`` runs in, or None for the native Python kernel (the warm shell).

    Resolved as nbclient and jupyter_client do; an unknown kernel raises jupyter_client's
    ``NoSuchKernel``, as nbgrader's ``Execute`` would. Any other kernel (or a ``python3``
    kernelspec that is not the plain ipykernel) comes back as ``{name, argv, env,
    language}``: the notebook runs in a real kernel of that name, never as Python.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    name = kernel_name(nb)
    spec = KernelSpecManager().get_kernel_spec(name)  # NoSuchKernel when there is none
    argv = [str(a) for a in spec.argv]
    native = (name == NATIVE_KERNEL and spec.language.lower() == "python"
              and argv[:3] in (["python", "-m", "ipykernel_launcher"],
                               [sys.executable, "-m", "ipykernel_launcher"])
              and not spec.env)
    if native:
        return None
    if argv and argv[0] in ("python", "python3") and spec.language.lower() == "python":
        argv[0] = sys.executable  # as jupyter_client does for Python kernels
    return {"name": name, "argv": argv, "env": dict(spec.env), "language": spec.language}


@dataclass(frozen=True)
class Score:
    """A submission's totals in the gradebook."""

    score: float | None
    """Points (before the late penalty); None when there is no submission."""
    max_score: float | None
    """Points available."""
    late_penalty: float
    """Points deducted for lateness."""
    needs_manual: bool
    """Whether a grader still has to look at some cell."""


def quiet_warnings() -> None:
    """Silence what nbgrader's own code warns about on every run (inside catch_warnings)."""
    warnings.filterwarnings("ignore", message=r"Object of type .* not in session")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def _warning_to_note(message: Warning | str, category: type[Warning], *_: Any,
                     **__: Any) -> None:
    """A warning raised while processing a submission (e.g. by nbformat) becomes a note."""
    text = (str(message).strip().splitlines() or [""])[0].split(". ")[0]
    LOG.warning("%s: %s", category.__name__, text[:160])


def describe(exc: BaseException) -> str:
    """One line on why a submission could not be processed."""
    name = type(exc).__name__
    if name == "NotJSONError" or isinstance(exc, json.JSONDecodeError):
        return "the notebook is not valid JSON (truncated or damaged)"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{name}: {first}"[:300]


def summarise(notes: Sequence[str]) -> tuple[str, ...]:
    """nbgrader's warnings about a submission, restored locked cells counted as one note."""
    restored = [n for n in notes if "Attribute 'checksum'" in n]
    others = list(dict.fromkeys(n for n in notes if n not in restored and
                                "Removing existing" not in n and "Updating existing" not in n))
    if restored:
        others.insert(0, f"{len(restored)} locked cell(s) restored from the gradebook")
    return tuple(others)


class _Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.target: list[str] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.target is not None:
            self.target.append(record.getMessage())


def nbgrader_arguments(options: Sequence[str]) -> list[str]:
    """nbgrader options as its command line: ``Class.trait=value``, ``alias=value`` or
    ``flag`` (e.g. ``Execute.timeout=60``, ``notebook=p1``, ``no-execute``) become
    ``--Class.trait=value``, ``--alias=value``, ``--flag``."""
    out = []
    for option in options:
        option = option.removeprefix("--")
        name = option.split("=", 1)[0]
        if not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_]\w*)*", name):
            raise GradingError(f"an nbgrader option is Class.trait=value, alias=value or "
                               f"a flag, e.g. Execute.timeout=60 or no-execute ({option})")
        out.append("--" + option)
    return out


def nbgrader_app(course: Path, app_class: Any, options: Sequence[str] = ()) -> Any:
    """An nbgrader app with the course's configuration, as if run from the course folder.

    ``options`` (``Class.trait=value``) are given as on nbgrader's command line.
    """
    app = app_class()
    here, path = os.getcwd(), list(sys.path)
    os.chdir(course)
    try:
        app.initialize(nbgrader_arguments(options), root=str(course))
    except SystemExit as exc:
        raise GradingError(f"{course}: nbgrader cannot read the course configuration") from exc
    finally:
        os.chdir(here)
        sys.path[:] = path  # nbgrader puts the working directory first on sys.path
    app.log_level = logging.WARNING  # nbgrader's INFO lines would drown the summary
    return app


@contextlib.contextmanager
def course_importable(course: Path) -> Iterator[None]:
    """The course folder first on ``sys.path`` meanwhile, as nbgrader run from it has it.

    nbgrader imports what its configuration names (``AssignLatePenalties.plugin_class =
    "late.LatePlugin"``, exporters, ...) lazily, while grading, from the working
    directory it put first on ``sys.path``.
    """
    path = list(sys.path)
    sys.path.insert(0, str(course))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = path


class Grader:
    """nbgrader's autograde bookkeeping for one assignment, split around execution."""

    keep_partial = False
    """Whether a notebook that did not run to its end keeps the scores of the cells that
    ran (otherwise the submission fails, as under nbgrader)."""

    def __init__(self, app: Any, gradebook: Any, assignment: str, force: bool) -> None:
        from nbconvert.writers.files import FilesWriter

        self.app = app
        self.coursedir = app.coursedir
        self.gradebook = gradebook
        self.assignment = assignment
        classes = autograde_classes()
        conv = classes.Autograde(coursedir=self.coursedir, parent=app)
        conv.log = LOG
        conv.force = force
        conv.staged = {}
        execute = app.config.Execute
        self.execute = bool(execute.get("enabled", True))
        timeout = execute.get("timeout", 30)
        self.cell_timeout: float | None = float(timeout) if timeout else None
        conv.apply = classes.Apply(parent=conv)
        conv.apply.enabled = self.execute
        conv.writer = FilesWriter(parent=conv, config=conv.config)  # type: ignore[no-untyped-call]
        # hook (0.9.6): exporter_class, optimistic_validation; as BaseConverter.start does
        conv.exporter = conv.exporter_class(parent=conv, config=conv.config)
        conv.exporter.optimistic_validation = True  # validate once per pass, not per step
        self.conv = conv
        self._notes = _Notes()
        self._notebooks: dict[str, list[str]] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, course: Path, assignment: str, force: bool,
             options: Sequence[str] = ()) -> Iterator[Grader]:
        """The grader for ``assignment`` in ``course``, its gradebook open and shared.

        ``options`` (``Class.trait=value``) are nbgrader configuration given as on its
        command line. The course folder stays first on ``sys.path`` while the grader is
        open (:func:`course_importable`).
        """
        with warnings.catch_warnings(), course_importable(course):
            warnings.simplefilter("always")
            quiet_warnings()
            warnings.showwarning = _warning_to_note
            import_nbgrader()
            from nbgrader.api import MissingEntry
            from nbgrader.apps.autogradeapp import AutogradeApp

            check_hooks()
            app = nbgrader_app(course, AutogradeApp, options)
            app.coursedir.assignment_id = assignment
            with shared_gradebook(app.coursedir.db_url) as gradebook:
                try:
                    gradebook.find_assignment(assignment)
                except MissingEntry:
                    raise GradingError(f"{course}: assignment {assignment} is not in the "
                                       "gradebook; run nbgrader generate_assignment first"
                                       ) from None
                grader = cls(app, gradebook, assignment, force)
                LOG.addHandler(grader._notes)
                LOG.propagate = False
                LOG.setLevel(logging.WARNING)
                try:
                    yield grader
                finally:
                    LOG.removeHandler(grader._notes)

    @property
    def root(self) -> str:
        """The course root."""
        return str(self.coursedir.root)

    @property
    def protected_paths(self) -> list[str]:
        """The gradebook file, when it is SQLite."""
        url = str(self.coursedir.db_url)
        return [url[len("sqlite:///"):]] if url.startswith("sqlite:///") else []

    def report_path(self) -> Path:
        """``autograded/ASSIGNMENT-grading-report.csv`` in the course."""
        return Path(self.root, str(self.coursedir.autograded_directory),
                    f"{self.assignment}-grading-report.csv")

    def destination(self, student: str) -> Path:
        """Where nbgrader writes the submission now: its staging folder while it is graded.

        Else ``autograded/STUDENT/ASSIGNMENT`` (:meth:`final_destination`).
        """
        # hook (0.9.6): BaseConverter._format_dest, nbgrader's own naming of the folder
        return Path(str(self.conv._format_dest(self.assignment, student)))

    def final_destination(self, student: str) -> Path:
        """``autograded/STUDENT/ASSIGNMENT``, where the graded submission ends up."""
        return Path(str(self.conv.final_dest(self.assignment, student)))

    def staging(self, student: str) -> Path:
        """``autograded/STUDENT/.ASSIGNMENT.partial``: the folder written while grading."""
        final = self.final_destination(student)
        return final.parent / f".{final.name}{PARTIAL}"

    def _stage(self, student: str) -> Path:
        """From now on nbgrader writes the submission into a fresh staging folder.

        An autograded folder still there (only with a notebook filter: nbgrader then
        updates the chosen notebooks in place and keeps the rest) is copied into it first,
        so that the renamed folder holds what nbgrader's in-place update would.
        """
        staged = self.staging(student)
        remove_tree(staged)
        final = self.final_destination(student)
        if final.is_dir():
            shutil.copytree(final, staged, symlinks=True)
        # else it is made after nbgrader's init_assignment (a submission failing before,
        # e.g. of an unknown student, leaves no folder, as under nbgrader)
        self.conv.staged[(self.assignment, student)] = str(staged)
        return staged

    def publish(self, student: str) -> bool:
        """Rename the staging folder to the autograded folder (after the commit).

        Whether there was one to publish (a failed submission's was removed).
        """
        staged = self.conv.staged.pop((self.assignment, student), None)
        if staged is None or not os.path.isdir(staged):
            return False
        final = self.final_destination(student)
        try:
            if final.exists():  # another run wrote it meanwhile: the newer grading wins
                remove_tree(final)
            os.rename(staged, final)
        except OSError as exc:
            raise GradingError(f"{final}: cannot publish the autograded folder ({exc})"
                               ) from exc
        return True

    def discard_partial(self, student: str) -> None:
        """Remove a staging folder a killed run left behind."""
        self.conv.staged.pop((self.assignment, student), None)
        remove_tree(self.staging(student))

    @contextlib.contextmanager
    def notes_to(self, target: list[str]) -> Iterator[None]:
        """Collect nbgrader's warnings into ``target`` meanwhile."""
        self._notes.target = target
        try:
            yield
        finally:
            self._notes.target = None

    def students(self) -> list[str]:
        """Every student with a submission of the assignment (nbgrader's glob)."""
        from nbgrader.converters.base import NbGraderException

        conv = self.conv
        # hook (0.9.6): _sanitizing, init_notebooks, _format_source, assignments: nbgrader's
        # glob of the submitted folders, as Autograde.start does before converting
        conv._sanitizing = True
        try:
            conv.init_notebooks()
        except NbGraderException:
            raise GradingError(f"no submissions of {self.assignment} under "
                               f"{Path(self.root) / self.coursedir.submitted_directory}"
                               ) from None
        pattern = conv._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)",
                                      escape=True)
        for folder, notebooks in conv.assignments.items():
            match = re.match(pattern, folder)
            if match:
                self._notebooks[match["student_id"]] = sorted(notebooks)
        return sorted(self._notebooks)

    def _resources(self, filename: str) -> Any:
        # hook (0.9.6): init_single_notebook_resources, as convert_single_notebook does
        resources = self.conv.init_single_notebook_resources(filename)
        resources["metadata"] = {"name": Path(filename).stem, "path": str(Path(filename).parent)}
        return resources

    def sanitize(self, student: str) -> dict[str, tuple[Path, Any]] | None:
        """nbgrader's steps before execution; ``{name: (autograded path, notebook)}``.

        The sanitized notebooks stay in memory (nbgrader writes and reads them back).
        None when the course configuration excludes the student; raises :class:`Skip`
        when nbgrader would skip the submission (already autograded, not newer).
        """
        import nbformat
        from nbconvert.exporters.exporter import Exporter

        conv = self.conv
        # hook (0.9.6): the first half of Autograde.convert_notebooks and of its
        # convert_single_notebook (init_destination, init_assignment, the sanitize chain)
        conv.notebooks = list(self._notebooks[student])
        conv._sanitizing = True
        if not conv.init_destination(self.assignment, student):
            excluded = str(self.coursedir.student_id_exclude or "").split(",")
            if student in excluded:
                return None
            raise Skip("already autograded (use --force to grade again)")
        self._stage(student)  # the autograded folder appears only once complete (publish)
        conv.run_pre_convert_hook()
        conv.init_assignment(self.assignment, student)
        # the working copy is made from the staging folder: it exists from here on
        self.staging(student).mkdir(parents=True, exist_ok=True)
        dest = self.final_destination(student)  # names nbgrader matches; writes are staged
        out = {}
        for notebook in conv.notebooks:
            conv._sanitizing = True
            conv._init_preprocessors()
            resources = self._resources(notebook)
            nb = nbformat.read(notebook, as_version=4)  # type: ignore[no-untyped-call]
            # hook: Exporter.from_notebook_node keeps the notebook a node (no write+read)
            nb, _ = Exporter.from_notebook_node(conv.exporter, nb, resources)
            if self.execute:
                kernel_for(nb)  # NoSuchKernel fails the submission, as under nbgrader
            out[Path(notebook).stem] = (dest / Path(notebook).name, nb)
        self.commit()  # this submission's own transaction, before the next is prepared
        return out

    def apply_and_save(self, student: str, notebooks: dict[str, tuple[Path, Any]],
                       ran: dict[str, NotebookResult], planned: dict[str, list[int]],
                       error: str) -> None:
        """nbgrader's steps after execution, with the sandbox's outputs; then commit."""
        from nbgrader import utils

        conv = self.conv
        # hook (0.9.6): the second half of Autograde.convert_single_notebook (the autograde
        # chain, write_single_notebook), then set_permissions and the post-convert hook
        conv.apply.ran, conv.apply.planned, conv.apply.error = ran, planned, error
        conv._sanitizing = False
        conv._init_preprocessors()
        try:
            with utils.setenv(NBGRADER_EXECUTION="autograde"):
                for name, (path, nb) in notebooks.items():
                    dead = stopped(ran.get(name), planned.get(name, []), error)
                    if dead and self.execute and not self.keep_partial:
                        # as nbgrader: the notebooks before it are saved, the submission fails
                        raise DeadKernelError(f"{name}.ipynb: {dead}")
                    resources = self._resources(str(path))
                    output, resources = conv.exporter.from_notebook_node(nb, resources)
                    conv.write_single_notebook(output, resources)
        finally:
            conv._sanitizing = True
        conv.set_permissions(self.assignment, student)
        conv.run_post_convert_hook()
        self.commit()

    def discard(self, student: str) -> None:
        """After a failure, as nbgrader's ``_handle_failure``: keep the gradebook rows, remove
        the autograded folder (or, with a notebook filter, the submission's notebooks)."""
        dest = self.destination(student)
        self.commit()
        if str(self.coursedir.notebook_id) == "*":
            if dest.exists():
                remove_tree(dest)
            self.conv.staged.pop((self.assignment, student), None)
        else:
            # nbgrader removes the chosen notebooks and keeps the folder: so is it published
            # (without them: the next run grades them again)
            for notebook in self.conv.notebooks:
                Path(dest, Path(notebook).stem + ".ipynb").unlink(missing_ok=True)
            self.publish(student)

    def commit(self) -> None:
        """End the submission's transaction."""
        from sqlalchemy.exc import SQLAlchemyError

        clear_submission_cache()
        try:
            self.gradebook.session.commit()
        except SQLAlchemyError as exc:
            self.gradebook.session.rollback()
            raise GradingError(f"gradebook {self.coursedir.db_url}: {describe(exc)}") from exc

    def score(self, student: str) -> Score:
        """The student's totals in the gradebook."""
        from nbgrader.api import MissingEntry

        try:
            sub = self.gradebook.find_submission(self.assignment, student)
        except MissingEntry:
            return Score(None, None, 0.0, False)
        return Score(float(sub.score), float(sub.max_score),
                     float(sub.late_submission_penalty or 0.0), bool(sub.needs_manual_grade))


@functools.cache
def autograde_classes() -> Any:
    """nbgrader subclasses, built on first use (importing nbgrader is slow).

    An ``Autograde`` converter whose ``Execute`` preprocessor is replaced by one that
    applies the outputs the sandbox sent back (:func:`apply_outputs`), and whose
    ``CheckCellMetadata`` validates with a schema compiled once.
    """
    import jsonschema
    from nbconvert.preprocessors import Preprocessor
    from nbgrader.converters.autograde import Autograde
    from nbgrader.nbgraderformat import ValidationError
    from nbgrader.nbgraderformat.common import BaseMetadataValidator
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
    from nbgrader.preprocessors import CheckCellMetadata, Execute

    # hook (0.9.6): BaseMetadataValidator.validate_cell/validate_nb, .schema and
    # .schema_version; nbgrader recompiles the JSON schema for every cell
    class CompiledSchema(BaseMetadataValidator):  # type: ignore[misc]
        """nbgrader's schema check, with the schema compiled once instead of per cell."""

        valid: set[str] = set()  # noqa: RUF012 - metadata already found valid, shared

        @functools.cached_property
        def compiled(self) -> Any:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            return cls(self.schema)

        def validate_cell(self, cell: Any) -> None:
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                super().validate_cell(cell)
                return
            key = json.dumps(meta, sort_keys=True, default=str)
            if key in self.valid:
                return
            error = jsonschema.exceptions.best_match(self.compiled.iter_errors(meta))
            if error is not None:
                raise error
            self.valid.add(key)

    class Validator(MetadataValidatorV3, CompiledSchema):  # type: ignore[misc]
        """nbgrader's v3 metadata rules on top of the compiled schema check."""

    validator = Validator()

    class FastCheckCellMetadata(CheckCellMetadata):  # type: ignore[misc]
        """CheckCellMetadata with one validator for the whole run."""

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            try:
                validator.validate_nb(nb)
            except ValidationError as exc:
                self.log.error("%s", exc)
                raise ValidationError("Notebook failed to validate; the nbgrader metadata "
                                      "may be corrupted.") from exc
            return nb, resources

    class ApplyExecution(Preprocessor):
        """In place of ``Execute``: the outputs the sandbox sent back."""

        ran: dict[str, NotebookResult] = {}  # noqa: RUF012 - set per submission
        planned: dict[str, list[int]] = {}  # noqa: RUF012
        error = ""

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            name = resources["nbgrader"]["notebook"]
            apply_outputs(nb, self.ran.get(name), self.planned.get(name, []), self.error)
            return nb, resources

    class FastAutograde(Autograde):  # type: ignore[misc]
        """nbgrader's Autograde with the execution step and metadata check replaced."""

        apply: Any = None
        built: tuple[Any, dict[type, Any]] | None = None  # (exporter, its preprocessors)
        staged: dict[tuple[str, str], str] = {}  # noqa: RUF012 - replaced per instance

        def final_dest(self, assignment_id: str, student_id: str) -> str:
            return str(super()._format_dest(assignment_id, student_id))

        # hook (0.9.6): BaseConverter._format_dest; every write of a submission being
        # graded (init_assignment, write_single_notebook, set_permissions) goes to its
        # staging folder, renamed into place once the gradebook has committed
        def _format_dest(self, assignment_id: str, student_id: str,
                         escape: bool = False) -> str:
            staged = None if escape else self.staged.get((assignment_id, student_id))
            return staged if staged is not None else str(
                super()._format_dest(assignment_id, student_id, escape))

        # hook (0.9.6): Autograde._init_preprocessors, _sanitizing, the two chain traits and
        # Exporter._preprocessors; nbgrader's version, with two preprocessors substituted.
        # nbgrader's own preprocessors set their state at the start of ``preprocess``, so
        # one instance of each serves the whole run (nbgrader builds them per notebook);
        # any other (a course's own) is built afresh each time, as nbgrader does.
        def _init_preprocessors(self) -> None:
            exporter = self.exporter
            if self.built is None or self.built[0] is not exporter:
                self.built = (exporter, {})
            built = self.built[1]
            exporter._preprocessors = []
            chain = self.sanitize_preprocessors if self._sanitizing \
                else self.autograde_preprocessors
            for pp in chain:
                if isinstance(pp, type) and issubclass(pp, Execute):
                    exporter.register_preprocessor(self.apply)
                    continue
                if pp is CheckCellMetadata:
                    pp = FastCheckCellMetadata
                if not isinstance(pp, type) or not pp.__module__.startswith(
                        ("nbgrader.preprocessors.", "nbconvert.preprocessors.clearmetadata",
                         __name__)):
                    exporter.register_preprocessor(pp)
                    continue
                if pp not in built:
                    built[pp] = pp(parent=exporter)
                exporter.register_preprocessor(built[pp])

    return type("Classes", (), {"Autograde": FastAutograde, "Apply": ApplyExecution})


@contextlib.contextmanager
def shared_gradebook(db_url: str) -> Iterator[Any]:
    """One gradebook connection for nbgrader's converter and preprocessors.

    nbgrader opens ``Gradebook(db_url)`` in each step; while this is active those
    names return the shared one (:func:`~competency.grading.sharedgradebook.borrowed_class`),
    whose commits wait for the caller (one transaction per submission). Yields the
    real gradebook; its ``.session`` commits.
    """
    from nbgrader.api import Gradebook

    real = Gradebook(db_url)
    # hook (0.9.6): Gradebook.db is the scoped session every gradebook method commits
    # through; its commits become flushes until the submission is done
    session = real.db
    real.db = DeferredSession(session)
    borrowed = borrowed_class(real, session, db_url)
    # hook (0.9.6): the module-level name Gradebook in the five modules that open one
    modules: list[Any] = [importlib.import_module(name) for name in _GRADEBOOK_MODULES]
    saved = [m.Gradebook for m in modules]
    for module in modules:
        module.Gradebook = borrowed
    real.session = session
    try:
        yield real
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.Gradebook = original
        session.rollback()
        session.remove()
        real.engine.dispose()
        clear_caches()


def remove_hidden_test_region(remover: Any, cell: Any) -> bool:
    """Remove the hidden-test region from ``cell`` (a ``ClearHiddenTests`` does it).

    Whether there was one. hook (0.9.6): ClearHiddenTests._remove_hidden_test_region,
    so that the delimiters are the course's, parsed by nbgrader's own code.
    """
    return bool(remover._remove_hidden_test_region(cell))
