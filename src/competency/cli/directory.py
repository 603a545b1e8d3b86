"""Commands for the directory of community and voluntary organisations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from competency.cli._common import (
    ConfigOption,
    ContactOption,
    SkillsOption,
    StoreOption,
    _parse_date,
    directory_app,
)


@directory_app.command("add")
def directory_add(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    skill: Annotated[list[str] | None, typer.Option(
        "--skill", help="Skill ID or name (repeat; see: competency directory skills).")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Area served (repeat).")
                    ] = None,
    language: Annotated[list[str] | None, typer.Option(
        "--language", help="Language code, ISO 639-1 or 639-3 (repeat).")] = None,
    community: Annotated[list[str] | None, typer.Option(
        "--community", help="Community served (repeat).")] = None,
    capacity: Annotated[str, typer.Option("--capacity", help="Capacity notes.")] = "",
    contact_role: Annotated[str, typer.Option("--contact-role", help="Role to contact.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Website, general mailbox or route."
                                         )] = "",
    verified_by: Annotated[str, typer.Option(
        "--verified-by", help="Role (not name) of who checked the entry.")] = "",
    verified_on: Annotated[str | None, typer.Option(
        "--verified-on", help="When it was checked, YYYY-MM-DD (default: today).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Record a new version of an entry already there.")] = False,
    allow_contact_details: ContactOption = False,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Add an organisation (or, with --update, a new version of one)."""
    from competency.config import find_config
    from competency.directory.entries import (
        load_skills,
        parse_organisation,
        save_organisations,
    )
    from competency.store.database import open_store

    fields = {"name": name, "communities": ";".join(community or ()),
              "languages": ";".join(language or ()), "areas": ";".join(area or ()),
              "skills": ";".join(skill or ()), "capacity": capacity, "contact_role": contact_role,
              "contact": contact, "verified_by": verified_by,
              "verified_on": _parse_date(verified_on, "--verified-on").isoformat()}
    org = parse_organisation(fields, skills=load_skills(skills),
                             allow_contact_details=allow_contact_details)
    with open_store(store or find_config(config).store_url) as st:
        result = save_organisations(st, [org], origin="command line", update=update)
        done = "added" if result.added else "updated" if result.updated else "unchanged"
        print(f"{org.name}: {done} -> {st.where}")


@directory_app.command("import")
def directory_import(
    file: Annotated[Path, typer.Argument(help="Directory CSV (or XLSX); see "
                                         "docs/community-directory.md.")],
    allow_contact_details: ContactOption = False,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Check every row, then add new organisations and new versions of changed ones."""
    from competency.config import find_config
    from competency.directory.entries import import_directory, load_skills
    from competency.store.database import open_store

    with open_store(store or find_config(config).store_url) as st:
        result = import_directory(st, file, skills=load_skills(skills),
                                  allow_contact_details=allow_contact_details)
        print(f"{file}: added {result.added}, updated {result.updated}, unchanged "
              f"{result.unchanged} -> {st.where}")


@directory_app.command("export")
def directory_export(
    file: Annotated[Path, typer.Argument(help="Directory CSV (or XLSX) to write.")],
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Write every organisation (current versions) as a directory CSV."""
    from competency.config import find_config
    from competency.directory.entries import export_directory
    from competency.store.database import open_store

    with open_store(store or find_config(config).store_url) as st:
        count = export_directory(st, file)
    print(f"{file}: {count} organisations", file=sys.stderr)


@directory_app.command("search")
def directory_search(
    language: Annotated[str | None, typer.Option(
        "--language", help="Language code or English name.")] = None,
    skill: Annotated[str | None, typer.Option("--skill", help="Skill ID or name.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Area served.")] = None,
    community: Annotated[str | None, typer.Option(
        "--community", help="Community served (any part of its name).")] = None,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Organisations matching every filter given."""
    from competency.config import find_config
    from competency.directory.entries import load_skills, render_organisations, search
    from competency.store.database import open_store

    vocab = load_skills(skills)
    with open_store(store or find_config(config).store_url, create=False) as st:
        found = search(st, language=language, skill=skill, area=area, community=community,
                       skills=vocab)
    print(render_organisations(found), end="")


@directory_app.command("stale")
def directory_stale(
    older_than_days: Annotated[int | None, typer.Option(
        "--older-than-days", min=0, help="Last verified more than this many days ago "
        "[default: a year].", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Entries due to be checked again with the organisation, oldest first."""
    from competency.config import find_config
    from competency.directory.entries import render_stale, stale
    from competency.store.database import open_store

    day = _parse_date(as_of, "--as-of")
    with open_store(store or find_config(config).store_url) as st:
        found = (stale(st, as_of=day) if older_than_days is None
                 else stale(st, older_than_days, day))
    print(render_stale(found, day), end="")


@directory_app.command("history")
def directory_history(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Every version of an entry, with what changed."""
    from competency.config import find_config
    from competency.directory.entries import history, render_history
    from competency.store.database import open_store

    with open_store(store or find_config(config).store_url) as st:
        versions = history(st, name)
    print(render_history(versions), end="")


@directory_app.command("skills")
def directory_skills(skills: SkillsOption = None) -> None:
    """The skills vocabulary: IDs, names and descriptions."""
    from competency.directory.entries import load_skills, render_skills

    print(render_skills(load_skills(skills)), end="")


@directory_app.command("languages")
def directory_languages(
    query: Annotated[str | None, typer.Argument(help="Part of a code or name.")] = None,
) -> None:
    """The language table: code (ISO 639-1, else 639-3), ISO 639-3 code, English names."""
    from competency.directory.entries import render_languages

    print(render_languages(query), end="")

