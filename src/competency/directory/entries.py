"""The community directory: local community and voluntary organisations and their skills.

Each entry (:class:`Organisation`) records an organisation's name, the communities
it serves, the languages it works in (ISO 639-1 codes where one exists, else ISO
639-3, checked against ``data/languages.csv``), the areas it serves, its skills
and abilities from a controlled vocabulary (``data/directory-skills.yaml``,
extended by a trust's own file), capacity notes, a contact role, and when the
entry was last verified and by whom (a role, not a name). Personal contact
details are refused unless explicitly allowed.

Entries live in the store (tables ``directory_entries``, ``directory_versions``
and ``directory_tags`` on :data:`competency.store.database.metadata`). Every change is a
new version: ``directory_versions`` keeps them all. The CSV format
(docs/community-directory.md) has the columns :data:`COLUMNS`, list fields
separated by ``;``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    delete,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from competency.dates import parse_cell
from competency.directory.vocabulary import SEPARATOR, fold
from competency.directory.vocabulary import Language as Language  # re-exported
from competency.directory.vocabulary import Languages as Languages
from competency.directory.vocabulary import Skill as Skill
from competency.directory.vocabulary import SkillVocabulary as SkillVocabulary
from competency.directory.vocabulary import load_languages as load_languages
from competency.directory.vocabulary import load_skills as load_skills
from competency.errors import (
    DirectoryEntryError,
    DirectoryError,
    DirectoryLookupError,
    DirectoryRowsError,
    StoreError,
)
from competency.store.database import Store, utcnow
from competency.store.schema import entries_table, tags_table, versions_table
from competency.tables import read_table, write_table

if TYPE_CHECKING:
    import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE_DIRECTORY = DATA / "sample-org" / "community-directory.csv"
"""The fictional Northmoor county's directory (about 40 organisations)."""
SAMPLE_LOCAL_LANGUAGES = DATA / "sample-org" / "local-languages.csv"
"""Synthetic: languages spoken in the fictional Northmoor county, by area."""

NAME, COMMUNITIES, LANGUAGES, AREAS, SKILLS = "name", "communities", "languages", "areas", "skills"
CAPACITY, CONTACT_ROLE, CONTACT = "capacity", "contact_role", "contact"
VERIFIED_ON, VERIFIED_BY = "verified_on", "verified_by"
COLUMNS: tuple[str, ...] = (NAME, COMMUNITIES, LANGUAGES, AREAS, SKILLS, CAPACITY, CONTACT_ROLE,
                            CONTACT, VERIFIED_ON, VERIFIED_BY)
REQUIRED: tuple[str, ...] = (NAME, LANGUAGES, AREAS, SKILLS, VERIFIED_ON, VERIFIED_BY)
LIST_FIELDS: tuple[str, ...] = (COMMUNITIES, LANGUAGES, AREAS, SKILLS)
TEXT_FIELDS: tuple[str, ...] = (NAME, CAPACITY, CONTACT_ROLE, CONTACT, VERIFIED_BY)
DEFAULT_STALE_DAYS = 365
MAX_LENGTH = 200
"""Longest name, community or area (they are keys and search terms)."""
MAX_TEXT = 2000
"""Longest capacity note, contact or role."""
AREA, LANGUAGE, LANGUAGE_NAME, SPEAKERS = "area", "language", "language_name", "speakers"
ORGANISATIONS, NAMES = "organisations", "names"
TAG_KINDS = {COMMUNITIES: "community", LANGUAGES: "language", AREAS: "area", SKILLS: "skill"}

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
GENERIC_MAILBOXES = frozenset({
    "admin", "advice", "contact", "enquiries", "enquiry", "general", "hello", "help", "info",
    "mail", "office", "referrals", "reception", "support", "team", "volunteering"})
PHONE = re.compile(r"\+?\(?\d[\d\s()-]{8,}\d")
PERSON = re.compile(r"\b(?:[A-Z]\.\s*)+[A-Z][a-z'’-]+|\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z]")



# --------------------------------------------------------------------------- entries

@dataclass(frozen=True, kw_only=True)
class Organisation:
    """One entry of the directory (one version of it)."""

    name: str
    """The organisation's name: the entry's key (compared ignoring case and spacing)."""
    communities: tuple[str, ...] = ()
    """Communities it serves, as it describes them."""
    languages: tuple[str, ...] = ()
    """Languages it works in: codes of the language table."""
    areas: tuple[str, ...] = ()
    """Areas it serves."""
    skills: tuple[str, ...] = ()
    """Skills and abilities: IDs of the skill vocabulary."""
    capacity: str = ""
    """Capacity notes: how much it can take on, when, on what terms."""
    contact_role: str = ""
    """The role to contact (never a person's name)."""
    contact: str = ""
    """How to reach it: a website, a general mailbox or a route ("via the CVS")."""
    verified_on: dt.date
    """When the entry was last checked with the organisation."""
    verified_by: str
    """Who checked it: a role, not a name."""

    def row(self) -> dict[str, str]:
        """The entry as a CSV row (lists joined with ``;``)."""
        return {NAME: self.name, COMMUNITIES: SEPARATOR.join(self.communities),
                LANGUAGES: SEPARATOR.join(self.languages), AREAS: SEPARATOR.join(self.areas),
                SKILLS: SEPARATOR.join(self.skills), CAPACITY: self.capacity,
                CONTACT_ROLE: self.contact_role, CONTACT: self.contact,
                VERIFIED_ON: self.verified_on.isoformat(), VERIFIED_BY: self.verified_by}


@dataclass(frozen=True)
class Version:
    """One version of an entry, from the ``directory_versions`` table."""

    version: int
    """1 for the first, then one more for each change."""
    change: str
    """``added`` or ``updated``."""
    origin: str
    """Where the change came from: a file imported, or ``command line``."""
    recorded_at: dt.datetime
    """When it was stored (UTC)."""
    organisation: Organisation
    """The entry as it was."""


@dataclass(frozen=True)
class SaveResult:
    """What adding or importing entries did."""

    added: int
    """New entries."""
    updated: int
    """Entries that changed: each has a new version."""
    unchanged: int
    """Entries identical to the stored version (nothing recorded)."""


def name_key(name: str) -> str:
    """How names are compared: case and spacing ignored."""
    return fold(name)


def _split(text: str) -> list[str]:
    parts: dict[str, str] = {}
    for part in text.split(SEPARATOR):
        if part.strip():
            parts.setdefault(fold(part), " ".join(part.split()))
    return list(parts.values())


def _personal(text: str) -> tuple[str, str] | None:
    for email in EMAIL.findall(text):
        if email.split("@")[0].casefold() not in GENERIC_MAILBOXES:
            return "a personal email address", email
    for number in PHONE.findall(text):
        if sum(c.isdigit() for c in number) >= 10:
            return "a phone number", number.strip()
    return None


def parse_organisation(fields: Mapping[str, str], *, languages: Languages | None = None,
                       skills: SkillVocabulary | None = None,
                       allow_contact_details: bool = False,
                       today: dt.date | None = None) -> Organisation:
    """Check one entry given as text fields (CSV columns; lists separated by ``;``).

    Raises :class:`DirectoryEntryError` naming the entry, the field and the bad value.
    """
    table = languages or load_languages()
    vocab = skills or load_skills()
    name = " ".join(str(fields.get(NAME, "")).split())

    def bad(field: str, problem: str, value: object = None) -> DirectoryEntryError:
        return DirectoryEntryError(name, field, problem, value)

    if not name:
        raise bad(NAME, "missing name")
    text = {f: " ".join(str(fields.get(f, "")).split()) for f in TEXT_FIELDS}
    lists = {f: _split(str(fields.get(f, ""))) for f in LIST_FIELDS}
    for field in (*TEXT_FIELDS, COMMUNITIES, AREAS):
        for value in lists.get(field, [text.get(field, "")]):
            limit = MAX_LENGTH if field in (NAME, COMMUNITIES, AREAS) else MAX_TEXT
            if len(value) > limit:
                raise bad(field, f"longer than {limit} characters", value[:40] + "...")
            found = None if allow_contact_details else _personal(value)
            if found is not None:
                raise bad(field, f"looks like {found[0]}; entries hold no personal contact "
                          "details unless contact details are allowed", found[1])
    codes = []
    for value in lists[LANGUAGES]:
        lang = table.by_code(value)
        if lang is None:
            named = table.find(value)
            hint = f"; {named.name} is {named.code}" if named is not None else ""
            raise bad(LANGUAGES, f"unknown language code{hint}", value)
        codes.append(lang.code)
    skill_ids = []
    for value in lists[SKILLS]:
        skill_id = vocab.resolve(value)
        if skill_id is None:
            raise bad(SKILLS, "unknown skill; see competency directory skills", value)
        skill_ids.append(skill_id)
    if not lists[AREAS]:
        raise bad(AREAS, "no areas; name at least one area served")
    if not skill_ids:
        raise bad(SKILLS, "no skills; name at least one from the vocabulary")
    raw_date = str(fields.get(VERIFIED_ON, "")).strip()
    verified_on = parse_cell(raw_date)
    if verified_on is None:
        raise bad(VERIFIED_ON, "missing or bad date; use YYYY-MM-DD", raw_date or "empty")
    if verified_on > (today or dt.date.today()):
        raise bad(VERIFIED_ON, "date in the future", raw_date)
    if not text[VERIFIED_BY]:
        raise bad(VERIFIED_BY, "missing: record the role of who verified the entry")
    for field in (VERIFIED_BY,) if allow_contact_details else (VERIFIED_BY, CONTACT_ROLE):
        if PERSON.search(text[field]):
            raise bad(field, "looks like a person's name; record the role, not the name",
                      text[field])
    return Organisation(name=name, communities=tuple(lists[COMMUNITIES]),
                        languages=tuple(dict.fromkeys(codes)), areas=tuple(lists[AREAS]),
                        skills=tuple(dict.fromkeys(skill_ids)), capacity=text[CAPACITY],
                        contact_role=text[CONTACT_ROLE], contact=text[CONTACT],
                        verified_on=verified_on, verified_by=text[VERIFIED_BY])


def read_directory(path: str | Path, *, languages: Languages | None = None,
                   skills: SkillVocabulary | None = None, allow_contact_details: bool = False,
                   today: dt.date | None = None) -> list[Organisation]:
    """Read and check a directory CSV or XLSX; every bad row is reported at once.

    Raises :class:`DirectoryRowsError`: the first bad row as ``FILE, row N: problem
    (value)`` and how many other rows have problems (all listed by ``--all-errors``).
    """
    path = Path(path)
    frame = read_table(path, REQUIRED)
    unknown = [c for c in frame.columns if c not in COLUMNS]
    if unknown:
        raise DirectoryError(path, "unknown column; the columns are " + ",".join(COLUMNS),
                             row=1, value=unknown[0])
    table, vocab = languages or load_languages(), skills or load_skills()
    problems: list[DirectoryError] = []
    seen: dict[str, int] = {}
    out = []
    for row, record in zip(frame.index, frame.to_dict("records"), strict=True):
        try:
            fields = {str(k): str(v) for k, v in record.items()}
            org = parse_organisation(fields, languages=table, skills=vocab,
                                     allow_contact_details=allow_contact_details, today=today)
        except DirectoryEntryError as exc:
            problems.append(DirectoryError(path, exc.problem, row=row, value=exc.value))
            continue
        first = seen.setdefault(name_key(org.name), row)
        if first != row:
            problems.append(DirectoryError(path, f"duplicate name, first on row {first}",
                                           row=row, value=org.name))
        out.append(org)
    if problems:
        raise DirectoryRowsError(problems)
    return out


# --------------------------------------------------------------------------- the store

def _columns(org: Organisation) -> dict[str, Any]:
    row: dict[str, Any] = org.row()
    row[VERIFIED_ON] = org.verified_on
    return row


def _organisation(row: Any) -> Organisation:
    m = row._mapping
    return Organisation(name=m[NAME], **{f: tuple(_split(m[f])) for f in LIST_FIELDS},
                        capacity=m[CAPACITY], contact_role=m[CONTACT_ROLE], contact=m[CONTACT],
                        verified_on=m[VERIFIED_ON], verified_by=m[VERIFIED_BY])


def _tags(entry_id: int, org: Organisation) -> list[dict[str, Any]]:
    values = {(TAG_KINDS[f], fold(v)) for f in LIST_FIELDS for v in getattr(org, f)}
    return [{"entry_id": entry_id, "kind": k, "value": v} for k, v in sorted(values)]


def _fail(store: Store, exc: Exception) -> StoreError:
    if isinstance(exc, IntegrityError):
        return StoreError(f"{store.where}: the directory changed meanwhile; run it again")
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    return StoreError(f"{store.where}: cannot use the store ({detail[0] if detail else exc})")


def save_organisations(store: Store, organisations: Sequence[Organisation], *, origin: str,
                       update: bool = True) -> SaveResult:
    """Store entries in one transaction: new names are added; a changed entry gets a new
    version (or, with ``update=False``, is refused); identical ones are left alone.

    Concurrent writers take turns (:meth:`~competency.store.database.Store.write`), so
    each sees what the one before stored: nothing is lost or added twice."""
    now = utcnow()
    added = updated = unchanged = 0
    try:
        with store.write(lock=[entries_table]) as con:  # writers take turns
            stored = {r.name_key: r for r in con.execute(select(entries_table))}
            for org in organisations:
                key = name_key(org.name)
                found = stored.get(key)
                if found is not None and _organisation(found) == org:
                    unchanged += 1
                    continue
                if found is not None and not update:
                    raise DirectoryLookupError(f"{org.name}: already in the directory; update it "
                                               "to record a new version")
                if found is None:
                    version, change = 1, "added"
                    inserted = con.execute(entries_table.insert().values(
                        name_key=key, version=1, **_columns(org))).inserted_primary_key
                    entry_id = int(inserted[0]) if inserted is not None else 0
                    added += 1
                else:
                    version, change, entry_id = found.version + 1, "updated", found.id
                    con.execute(entries_table.update().where(entries_table.c.id == entry_id)
                                .values(version=version, **_columns(org)))
                    con.execute(delete(tags_table).where(tags_table.c.entry_id == entry_id))
                    updated += 1
                con.execute(versions_table.insert().values(
                    entry_id=entry_id, version=version, change=change, origin=origin,
                    recorded_at=now, **_columns(org)))
                con.execute(tags_table.insert(), _tags(entry_id, org))
    except (IntegrityError, OperationalError) as exc:
        raise _fail(store, exc) from exc
    return SaveResult(added, updated, unchanged)


def import_directory(store: Store, path: str | Path, *, skills: SkillVocabulary | None = None,
                     allow_contact_details: bool = False,
                     today: dt.date | None = None) -> SaveResult:
    """Check every row of a directory file, then store them all or (on any problem) none."""
    organisations = read_directory(path, skills=skills,
                                   allow_contact_details=allow_contact_details, today=today)
    return save_organisations(store, organisations, origin=Path(path).name)


def _select(store: Store, query: Any) -> list[Any]:
    try:
        with store.engine.connect() as con:
            return list(con.execute(query))
    except OperationalError as exc:
        raise _fail(store, exc) from exc


def organisations(store: Store) -> list[Organisation]:
    """Every entry (its current version), sorted by name."""
    return [_organisation(r) for r in _select(store, select(entries_table).order_by(
        entries_table.c.name_key))]


def export_directory(store: Store, path: str | Path) -> int:
    """Write every entry as a directory CSV (or XLSX) that :func:`import_directory` reads."""
    import pandas as pd

    entries = organisations(store)
    write_table(pd.DataFrame([o.row() for o in entries], columns=list(COLUMNS)), path)
    return len(entries)


def search(store: Store, *, language: str | None = None, skill: str | None = None,
           area: str | None = None, community: str | None = None,
           skills: SkillVocabulary | None = None) -> list[Organisation]:
    """Entries matching every filter given, sorted by name.

    ``language`` is a code or an English name; ``skill`` an ID or name (a misspelt
    one is refused with the nearest suggested); ``area`` the start of an area's name
    (any case); ``community`` any part of a community's name.
    """
    query = select(entries_table).order_by(entries_table.c.name_key)
    tag = tags_table.c
    if language is not None:
        found = load_languages().find(language)
        if found is None:
            raise DirectoryLookupError("unknown language; use an ISO 639 code or an English "
                                       f"name, e.g. pl or Polish ({language})")
        query = query.where(entries_table.c.id.in_(select(tag.entry_id).where(
            tag.kind == "language", tag.value == found.code)))
    if skill is not None:
        vocab = skills or load_skills()
        skill_id = vocab.resolve(skill)
        if skill_id is None:
            near = vocab.nearest(skill)
            if near is not None:
                raise DirectoryLookupError(f"unknown skill ({skill}); did you mean "
                                           f"{near.id} ({near.name})?")
            raise DirectoryLookupError(f"unknown skill; see competency directory skills ({skill})")
        query = query.where(entries_table.c.id.in_(select(tag.entry_id).where(
            tag.kind == "skill", tag.value == skill_id)))
    if area is not None:
        query = query.where(entries_table.c.id.in_(select(tag.entry_id).where(
            tag.kind == "area", tag.value.startswith(fold(area), autoescape=True))))
    if community is not None:
        query = query.where(entries_table.c.id.in_(select(tag.entry_id).where(
            tag.kind == "community", tag.value.contains(fold(community), autoescape=True))))
    return [_organisation(r) for r in _select(store, query)]


def stale(store: Store, older_than_days: int = DEFAULT_STALE_DAYS,
          as_of: dt.date | None = None) -> list[Organisation]:
    """Entries last verified more than ``older_than_days`` before ``as_of`` (today), oldest
    first."""
    cutoff = (as_of or dt.date.today()) - dt.timedelta(days=older_than_days)
    c = entries_table.c
    return [_organisation(r) for r in _select(store, select(entries_table).where(
        c.verified_on < cutoff).order_by(c.verified_on, c.name_key))]


def history(store: Store, name: str) -> list[Version]:
    """Every version of the entry called ``name``, oldest first."""
    e, v = entries_table.c, versions_table.c
    rows = _select(store, select(versions_table).join(entries_table, e.id == v.entry_id)
                   .where(e.name_key == name_key(name)).order_by(v.version))
    if not rows:
        names = [r.name for r in _select(store, select(e.name))]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DirectoryLookupError(f"{store.where}: no organisation of that name in the "
                                   f"directory{hint} ({name})")
    return [Version(r.version, r.change, r.origin, r.recorded_at, _organisation(r)) for r in rows]


# --------------------------------------------------------------------------- analysis

def load_local_languages(path: str | Path = SAMPLE_LOCAL_LANGUAGES) -> pd.DataFrame:
    """Languages spoken locally: ``area,language,speakers`` (+ ``language_name``), checked."""
    table = load_languages()
    frame = read_table(path, (AREA, LANGUAGE, SPEAKERS))
    for row, area, code, speakers in zip(frame.index, frame[AREA], frame[LANGUAGE],
                                         frame[SPEAKERS], strict=True):
        if not area:
            raise DirectoryError(path, "missing area", row=row)
        if table.by_code(code) is None:
            raise DirectoryError(path, "unknown language code", row=row, value=code or "empty")
        if not speakers.isdigit():
            raise DirectoryError(path, "speakers must be a whole number", row=row,
                                 value=speakers or "empty")
    out = frame.copy()
    out[LANGUAGE] = [table.by_code(c).code for c in out[LANGUAGE]]  # type: ignore[union-attr]
    out[LANGUAGE_NAME] = [table.name(c) for c in out[LANGUAGE]]
    out[SPEAKERS] = out[SPEAKERS].astype(int)
    return out[[AREA, LANGUAGE, LANGUAGE_NAME, SPEAKERS]].reset_index(drop=True)


def language_support(entries: Iterable[Organisation], local: pd.DataFrame) -> pd.DataFrame:
    """For each area and language spoken locally: the organisations serving that area in
    that language (``organisations``: how many; ``names``). 0 is a gap."""
    import pandas as pd

    offered = pd.DataFrame.from_records(
        [(fold(a), code, org.name) for org in entries for a in org.areas
         for code in org.languages], columns=["key", LANGUAGE, NAME])
    grouped = offered.groupby(["key", LANGUAGE])[NAME]
    counts = pd.DataFrame({ORGANISATIONS: grouped.count(),
                           NAMES: grouped.agg(lambda s: "; ".join(sorted(s)))}).reset_index()
    out = local.assign(key=local[AREA].map(fold)).merge(counts, on=["key", LANGUAGE],
                                                         how="left")
    out[ORGANISATIONS] = out[ORGANISATIONS].fillna(0).astype(int)
    out[NAMES] = out[NAMES].fillna("")
    return out.drop(columns="key")


def directory_frame(entries: Iterable[Organisation]) -> pd.DataFrame:
    """Entries as a table for people: languages and skills by name, lists comma-separated."""
    import pandas as pd

    table, vocab = load_languages(), load_skills()
    records = [{**org.row(), LANGUAGES: ", ".join(table.name(c) for c in org.languages),
                SKILLS: ", ".join(vocab.get(s).name if s in vocab else s for s in org.skills),
                COMMUNITIES: ", ".join(org.communities), AREAS: ", ".join(org.areas)}
               for org in entries]
    return pd.DataFrame(records, columns=list(COLUMNS))


# --------------------------------------------------------------------------- rendering

def render_organisations(entries: Sequence[Organisation]) -> str:
    """Entries as readable text, for ``directory search``."""
    table = load_languages()
    lines = []
    for org in entries:
        named = [f"{c} {table.name(c)}" for c in org.languages]
        contact = [x for x in (org.contact_role, org.contact) if x]
        lines += [org.name,
                  f"  communities: {', '.join(org.communities) or '-'}",
                  f"  languages:   {', '.join(named) or '-'}",
                  f"  areas:       {', '.join(org.areas)}",
                  f"  skills:      {', '.join(org.skills)}",
                  f"  capacity:    {org.capacity or '-'}",
                  f"  contact:     {'; '.join(contact) or '-'}",
                  f"  verified:    {org.verified_on.isoformat()} by {org.verified_by}"]
    count = len(entries)
    lines.append(f"{count} organisation{'' if count == 1 else 's'}" if count
                 else "no organisations match")
    return "\n".join(lines) + "\n"


def render_stale(entries: Sequence[Organisation], as_of: dt.date) -> str:
    """Stale entries, oldest first, with their age in days."""
    lines = [f"{o.verified_on.isoformat()}  {(as_of - o.verified_on).days:>5} days  {o.name} "
             f"(verified by {o.verified_by})" for o in entries]
    lines.append(f"{len(entries)} to verify" if entries else "every entry is in date")
    return "\n".join(lines) + "\n"


def render_history(versions: Sequence[Version]) -> str:
    """Each version, with the fields that changed since the one before."""
    lines: list[str] = []
    before: dict[str, str] = {}
    for v in versions:
        lines.append(f"version {v.version}: {v.change} {v.recorded_at:%Y-%m-%d %H:%M} UTC "
                     f"from {v.origin}")
        now = v.organisation.row()
        for field in COLUMNS:
            if field not in before:
                lines.append(f"  {field}: {now[field] or '-'}")
            elif before[field] != now[field]:
                lines.append(f"  {field}: {before[field] or '-'} -> {now[field] or '-'}")
        before = now
    return "\n".join(lines) + "\n"


def render_skills(vocab: SkillVocabulary) -> str:
    """The vocabulary: ID, name and description of every skill."""
    return "".join(f"{s.id:<24} {s.name}\n    {s.description}\n" for s in vocab)


def render_languages(query: str | None = None) -> str:
    """The language table (or the rows whose code or names contain ``query``)."""
    wanted = fold(query or "")
    rows = [lang for lang in load_languages() if not wanted or any(
        wanted in fold(t) for t in (lang.code, lang.iso639_3, lang.name, *lang.other_names))]
    return "".join(f"{lang.code:<4} {lang.iso639_3:<4} {lang.name}"
                   + (f" ({', '.join(lang.other_names)})" if lang.other_names else "") + "\n"
                   for lang in rows)

