"""Commands for HR: job-description suggestions, roles, person specifications and decisions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from competency.cli._common import (
    FrameworkOption,
    LogOption,
    app,
    jd_app,
    roles_app,
    warn,
)
from competency.errors import CompetencyError


@app.command("suggest")
def suggest_command(
    files: Annotated[list[Path], typer.Argument(help="Job descriptions (.docx, .pdf, .txt, .md).",
                                                show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, one object per "
                                          "file.")] = False,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0,
        help="Report suggestions scoring at least this (default 0.5).")] = None,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
    phrases: Annotated[Path | None, typer.Option("--phrases", help="Phrase file (default: "
                                                 "shipped).")] = None,
    no_model: Annotated[bool, typer.Option(
        "--no-model", help="Phrases alone: no learned model (for a phrase file of your own "
        "whose phrases should count without it).")] = False,
) -> int:
    """Suggest competencies for job descriptions, with the sentences that show them."""
    import json

    from competency.framework.model import load_framework
    from competency.hr.phrasecache import load_lemmas, save_lemmas
    from competency.hr.suggest import (
        DEFAULT_THRESHOLD,
        FileSuggestions,
        render_suggestions,
        suggest_file,
        suggester_for,
    )

    fw = load_framework(framework)
    load_lemmas()
    model: Literal[False] | None = False if no_model else None
    suggester_for(fw, phrases, model)  # a broken phrase file fails once, before any document
    cut = DEFAULT_THRESHOLD if threshold is None else threshold
    results: list[FileSuggestions] = []
    failed = False
    for file in files:
        try:
            results.append(suggest_file(file, fw, cut, phrases, model))
        except CompetencyError as exc:  # report it, go on with the other files
            print(str(exc), file=sys.stderr)
            failed = True
    save_lemmas()
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print(render_suggestions(results, fw, cut), end="")
    return 2 if failed else 0


@roles_app.command("validate")
def roles_validate(
    file: Annotated[Path, typer.Argument(help="Roles table (.csv or .xlsx).")],
    framework: FrameworkOption = None,
) -> None:
    """Check a roles table: exit 0 when valid, 2 with `FILE, row N: problem` when not."""
    from competency.framework.model import load_framework
    from competency.hr.roles import load_roles

    roles = load_roles(file, load_framework(framework))
    print(f"{file}: valid ({len(roles.names)} roles, {len(roles)} requirements)")


@roles_app.command("show")
def roles_show(
    file: Annotated[Path, typer.Argument(help="Roles table (.csv or .xlsx).")],
    role: Annotated[str | None, typer.Option("--role", help="Show only this role.")] = None,
    framework: FrameworkOption = None,
) -> None:
    """Print each role's required competencies, levels, priorities and assessments."""
    from competency.framework.model import load_framework
    from competency.hr.roles import find_role, load_roles, render_roles

    fw = load_framework(framework)
    roles = load_roles(file, fw)
    print(render_roles(roles, fw, None if role is None else find_role(roles, role, file)),
          end="")


@app.command("personspec")
def personspec_command(
    role: Annotated[str, typer.Argument(help="Role name, as in the roles table.")],
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write FILE.docx or FILE.md.")],
    framework: FrameworkOption = None,
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Interview question bank YAML (default: shipped).")] = None,
    essential_questions: Annotated[int | None, typer.Option(
        "--essential-questions", help="Questions per essential competency [default: 2].",
        show_default=False)] = None,
    desirable_questions: Annotated[int | None, typer.Option(
        "--desirable-questions", help="Questions per desirable competency [default: 1].",
        show_default=False)] = None,
) -> None:
    """Write a role's person specification: competencies and values-based questions."""
    from competency.hr.personspec import export_person_spec

    spec = export_person_spec(role, roles, out, framework=framework, questions=questions,
                              essential_questions=essential_questions,
                              desirable_questions=desirable_questions)
    for message in spec.warnings:
        warn(message)
    print(f"{out}: person specification for {spec.role} ({len(spec.essential)} essential, "
          f"{len(spec.desirable)} desirable competencies, {len(spec.questions)} questions)")


@jd_app.command("decide")
def jd_decide(
    jd: Annotated[str, typer.Argument(help="The job description (its file name is logged).")],
    role: Annotated[str, typer.Option("--role", help="The role the JD is for.")],
    by: Annotated[str, typer.Option("--by", help="Who decides.")],
    log: LogOption,
    accept: Annotated[list[str] | None, typer.Option(
        "--accept", help="Accept ID[:LEVEL[:PRIORITY]] (repeat); default level 1, essential."
    )] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Reject ID (repeat).")
                      ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, in a few words.")] = "",
    assessed_by: Annotated[str | None, typer.Option(
        "--assessed-by", help="How accepted ones are assessed [default: application;interview].",
        show_default=False)] = None,
    framework: FrameworkOption = None,
) -> None:
    """Record accept/reject decisions for a JD's competencies (appended to the log)."""
    from competency.framework.model import load_framework
    from competency.hr.decisions import append_decisions, make_decisions

    decisions = make_decisions(jd, role, accept=accept or (), reject=reject or (),
                               decided_by=by, reason=reason, assessed_by=assessed_by,
                               framework=load_framework(framework))
    append_decisions(log, decisions)
    accepted = sum(d.decision == "accept" for d in decisions)
    print(f"{log}: recorded {accepted} accepted, {len(decisions) - accepted} rejected "
          f"for {decisions[0].jd}")


@jd_app.command("apply")
def jd_apply(
    log: LogOption,
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the roles table here (default: update --roles).")] = None,
    framework: FrameworkOption = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Let the log change requirements the table already has.")] = False,
) -> None:
    """Turn the accepted decisions in force into requirements in the roles table.

    When that would change an existing requirement, prints the changes, writes
    nothing and exits 2, unless --replace is given.
    """
    from competency.errors import RequirementChangeError
    from competency.hr.decisions import apply_log

    try:
        result = apply_log(log, roles, out, framework=framework, replace=replace)
    except RequirementChangeError as exc:
        for change in exc.changes:
            print(f"would change: {change}")
        raise
    for message in result.warnings:
        warn(message)
    print(f"{out or roles}: {len(result.added)} added, {len(result.changed)} changed, "
          f"{result.unchanged} unchanged ({len(result.roles)} requirements)")


@jd_app.command("status")
def jd_status(
    log: LogOption,
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    jds: Annotated[Path | None, typer.Option(
        "--jds", help="Folder of job descriptions, to list those not yet reviewed.")] = None,
    framework: FrameworkOption = None,
) -> None:
    """Which JDs are reviewed, which not, and which competencies each role embeds."""
    from competency.hr.decisions import render_status, review_status

    print(render_status(review_status(log, roles, jds, framework=framework)), end="")

