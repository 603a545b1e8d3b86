"""Commands for grading and feedback."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from competency.cli._common import (
    ConfigOption,
    GradeCourseOption,
    GradeStudentOption,
    app,
    merged,
    warn,
)


@app.command("grade")
def grade_command(
    assignment: Annotated[str, typer.Argument(help="Assignment to grade, e.g. 01-equality-law.")],
    course: GradeCourseOption = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="Notebooks run at once [default: grading.jobs of the config, else "
        "the number of CPUs].",
        show_default=False)] = None,
    student: GradeStudentOption = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="I/N: only shard I (0 to N-1) of N, by a stable hash of the student "
        "id, for grading on several machines.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", "-f", help="Grade again submissions already autograded.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="CSV report [default: autograded/ASSIGNMENT-grading-report.csv].",
        show_default=False)] = None,
    cell_timeout: Annotated[float | None, typer.Option(
        "--cell-timeout", help="Seconds per cell [default: grading.cell_timeout of the config, "
        "else the course's Execute.timeout].",
        show_default=False)] = None,
    notebook_timeout: Annotated[float | None, typer.Option(
        "--notebook-timeout", help="Seconds per notebook [default: grading.notebook_timeout of "
        "the config].",
        show_default=False)] = None,
    memory_gb: Annotated[float | None, typer.Option(
        "--memory-gb", help="Memory per notebook process in GB [default: grading.memory_gb of "
        "the config].",
        show_default=False)] = None,
    nbgrader_option: Annotated[list[str] | None, typer.Option(
        "--nbgrader", help="An nbgrader option as on nbgrader's command line without its "
        "dashes (repeat): Class.trait=value, alias=value or a flag, e.g. --nbgrader "
        "Execute.timeout=60, --nbgrader notebook=p1, --nbgrader no-execute.")] = None,
    keep_partial: Annotated[bool, typer.Option(
        "--keep-partial", help="A notebook that stops (exits, crashes, is killed) keeps the "
        "scores of the cells that ran; by default its submission fails, as under "
        "nbgrader.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress",
                                           help="Show a progress bar on stderr.")] = True,
    config: ConfigOption = None,
) -> None:
    """Autograde submissions as nbgrader would: same gradebook and files, fast and sandboxed.

    Exit status: 0 when every submission was graded (or skipped), 1 when any failed
    (as nbgrader autograde), 2 for a usage or course error.
    """
    from competency.config import find_config
    from competency.grading.grader import DEFAULT_COURSE, FAILED, grade, parse_shard

    cfg = find_config(config)
    settings = merged(cfg.grading, jobs=jobs, cell_timeout=cell_timeout,
                      notebook_timeout=notebook_timeout, memory_gb=memory_gb)
    result = grade(assignment, course or cfg.course or DEFAULT_COURSE, jobs=settings.jobs,
                   students=student or (), shard=None if shard is None else parse_shard(shard),
                   force=force, report=report, progress=progress,
                   cell_timeout=settings.cell_timeout,
                   notebook_timeout=settings.notebook_timeout,
                   memory_bytes=settings.memory_bytes,
                   nbgrader_options=nbgrader_option or (), keep_partial=keep_partial)
    gc.freeze()  # the process ends soon: its last collection need not walk nbgrader's objects
    for message in result.warnings:
        warn(message)
    print(result.render(), end="")
    if result.count(FAILED):
        raise typer.Exit(1)  # as nbgrader autograde: some submission failed


@app.command("feedback")
def feedback_command(
    assignment: Annotated[str, typer.Argument(help="Assignment, e.g. 01-equality-law.")],
    course: GradeCourseOption = None,
    hide_hidden_tests: Annotated[bool, typer.Option(
        "--hide-hidden-tests", help="Leave hidden test code out of the feedback.")] = False,
    student: GradeStudentOption = None,
    force: Annotated[bool, typer.Option(
        "--force", "-f", help="Write feedback again where it exists.")] = False,
    config: ConfigOption = None,
) -> None:
    """Generate learners' feedback (nbgrader generate_feedback), optionally without hidden tests."""
    from competency.config import find_config
    from competency.grading.feedback import feedback
    from competency.grading.grader import DEFAULT_COURSE

    paths = feedback(assignment, course or find_config(config).course or DEFAULT_COURSE,
                     hide_hidden_tests=hide_hidden_tests,
                     students=student or (), force=force)
    hidden = " without hidden tests" if hide_hidden_tests else ""
    print(f"{assignment}: {len(paths)} feedback file(s){hidden}")
    for path in paths:
        print(f"  {path}")

