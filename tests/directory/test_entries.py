"""The community directory: languages, skills, entries, the store (SQLite and PostgreSQL),
the CLI, and the copies of the sample directory that course modules 04 and 05 ship."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.directory.entries import (
    SAMPLE_DIRECTORY,
    SAMPLE_LOCAL_LANGUAGES,
    Organisation,
    directory_frame,
    export_directory,
    history,
    import_directory,
    language_support,
    load_local_languages,
    organisations,
    parse_organisation,
    read_directory,
    save_organisations,
    search,
    stale,
)
from competency.errors import (
    DirectoryEntryError,
    DirectoryError,
    DirectoryLookupError,
    DirectoryRowsError,
    TableError,
)
from competency.store.database import open_store
from conftest import COURSE, CliResult

Cli = Callable[..., CliResult]
HEADER = "name,communities,languages,areas,skills,capacity,contact_role,contact,verified_on," \
         "verified_by\n"
TODAY = dt.date(2026, 10, 1)
SAMPLE_AS_OF = dt.date(2026, 9, 30)
GOOD = {"name": "Fen Polish Club", "communities": "Polish", "languages": "pl",
        "areas": "Brackenfleet", "skills": "peer-support", "verified_on": "2026-01-05",
        "verified_by": "community development worker"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def org(**changes: object) -> Organisation:
    fields: dict[str, str] = {**GOOD, **{k: str(v) for k, v in changes.items()}}
    return parse_organisation(fields, today=TODAY)


def names(found: list[Organisation]) -> list[str]:
    return [o.name for o in found]


# --------------------------------------------------------------------------- entries

def test_an_entry_is_normalised() -> None:
    entry = org(languages="POL; lit ;pl", skills="Peer support;advocacy",
                communities="Polish; polish;Lithuanian", areas=" Brackenfleet ;Kelham  Haven")
    assert entry == Organisation(
        name="Fen Polish Club", communities=("Polish", "Lithuanian"), languages=("pl", "lt"),
        areas=("Brackenfleet", "Kelham Haven"), skills=("peer-support", "advocacy"),
        verified_on=dt.date(2026, 1, 5), verified_by="community development worker")


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": " "}, "name: missing name"),
    ({"languages": "pl;Polish"}, "Fen Polish Club, languages: unknown language code; Polish "
     "is pl (Polish)"),
    ({"languages": "xx"}, "Fen Polish Club, languages: unknown language code (xx)"),
    ({"skills": "juggling"}, "Fen Polish Club, skills: unknown skill; see competency "
     "directory skills (juggling)"),
    ({"skills": ""}, "Fen Polish Club, skills: no skills; name at least one from the "
     "vocabulary"),
    ({"areas": ";"}, "Fen Polish Club, areas: no areas; name at least one area served"),
    ({"verified_on": "05/01/2026"}, "Fen Polish Club, verified_on: missing or bad date; use "
     "YYYY-MM-DD (05/01/2026)"),
    ({"verified_on": "2026-02-30"}, "Fen Polish Club, verified_on: missing or bad date; use "
     "YYYY-MM-DD (2026-02-30)"),
    ({"verified_on": ""}, "Fen Polish Club, verified_on: missing or bad date; use YYYY-MM-DD "
     "(empty)"),
    ({"verified_on": "2026-10-02"}, "Fen Polish Club, verified_on: date in the future "
     "(2026-10-02)"),
    ({"verified_by": ""}, "Fen Polish Club, verified_by: missing: record the role of who "
     "verified the entry"),
    ({"verified_by": "A. Okafor"}, "Fen Polish Club, verified_by: looks like a person's name; "
     "record the role, not the name (A. Okafor)"),
    ({"contact_role": "Mrs Nowak"}, "Fen Polish Club, contact_role: looks like a person's "
     "name; record the role, not the name (Mrs Nowak)"),
    ({"contact": "ask for ewa.nowak@example.org"}, "Fen Polish Club, contact: looks like a "
     "personal email address; entries hold no personal contact details unless "
     "contact details are allowed (ewa.nowak@example.org)"),
    ({"capacity": "ring 07700 900123 after 6"}, "Fen Polish Club, capacity: looks like a "
     "phone number; entries hold no personal contact details unless contact details "
     "are allowed (07700 900123)"),
    ({"contact": "+44 (0)1632 960001"}, "Fen Polish Club, contact: looks like a phone "
     "number; entries hold no personal contact details unless contact details are "
     "allowed (+44 (0)1632 960001)"),
])
def test_bad_entries_are_refused(changes: dict[str, str], message: str) -> None:
    with pytest.raises(DirectoryEntryError) as caught:
        org(**changes)
    assert str(caught.value) == message


def test_general_mailboxes_and_websites_are_not_personal() -> None:
    entry = org(contact="info@fenpolish.example; https://fenpolish.example",
                capacity="Open 2026-01-05 to 2026-12-20, about 400 members")
    assert entry.contact == "info@fenpolish.example; https://fenpolish.example"


def test_contact_details_are_kept_when_allowed() -> None:
    entry = parse_organisation({**GOOD, "contact": "ewa.nowak@example.org, 07700 900123",
                                "contact_role": "Mrs Nowak, coordinator"},
                               allow_contact_details=True, today=TODAY)
    assert entry.contact == "ewa.nowak@example.org, 07700 900123"
    assert entry.contact_role == "Mrs Nowak, coordinator"
    with pytest.raises(DirectoryEntryError, match=r"verified_by: looks like a person's name"):
        parse_organisation({**GOOD, "verified_by": "Dr Khan"}, allow_contact_details=True,
                           today=TODAY)


def test_long_values_are_refused() -> None:
    with pytest.raises(DirectoryEntryError, match=r"^Fen Polish Club, areas: longer than 200 "
                       r"characters \(x{40}\.\.\.\)$"):
        org(areas="x" * 201)
    assert len(org(capacity="y" * 2000).capacity) == 2000


def test_directory_errors_survive_pickling() -> None:
    rows = DirectoryRowsError([DirectoryError("d.csv", "missing name", row=2),
                               DirectoryError("d.csv", "unknown skill", row=3, value="x")])
    entry = DirectoryEntryError("Club", "skills", "unknown skill", "x")
    for error in (rows, entry):
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert str(clone) == str(error)
    assert str(rows) == ("d.csv, row 2: missing name (and 1 more row with problems; "
                         "--all-errors lists them)")
    assert pickle.loads(pickle.dumps(rows)).lines() == ["d.csv, row 2: missing name",
                                                        "d.csv, row 3: unknown skill (x)"]


# --------------------------------------------------------------------------- files

def test_every_bad_row_is_reported_with_its_row_number(tmp_path: Path) -> None:
    path = write(tmp_path / "dir.csv", HEADER
                 + ",Polish,pl,Brackenfleet,peer-support,,,,2026-01-05,cdw\n"
                 + "Club A,,pl,Brackenfleet,juggling,,,,2026-01-05,cdw\n"
                 + "Club B,,xx,Brackenfleet,advocacy,,,,2026-01-05,cdw\n"
                 + "Club C,,pl,Brackenfleet,advocacy,,,,2026-13-01,cdw\n"
                 + "Club D,,pl,Brackenfleet,advocacy,,,,2026-01-05,cdw\n"
                 + "club  d,,pl,Ravensby,advocacy,,,,2026-01-05,cdw\n")
    with pytest.raises(DirectoryRowsError) as caught:
        read_directory(path, today=TODAY)
    assert str(caught.value) == (f"{path}, row 2: missing name (and 4 more rows with problems; "
                                 "--all-errors lists them)")
    assert caught.value.lines() == [
        f"{path}, row 2: missing name",
        f"{path}, row 3: unknown skill; see competency directory skills (juggling)",
        f"{path}, row 4: unknown language code (xx)",
        f"{path}, row 5: missing or bad date; use YYYY-MM-DD (2026-13-01)",
        f"{path}, row 7: duplicate name, first on row 6 (club d)",
    ]


def test_every_bad_row_is_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "dir.csv", HEADER + "".join(
        f"Club {n},,xx,A,advocacy,,,,2026-01-05,cdw\n" for n in range(25)))
    with pytest.raises(DirectoryRowsError) as caught:
        read_directory(path, today=TODAY)
    assert str(caught.value).endswith(" (and 24 more rows with problems; --all-errors lists "
                                      "them)")
    assert len(caught.value.lines()) == 25
    assert caught.value.lines()[-1] == f"{path}, row 26: unknown language code (xx)"


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "dir.csv", HEADER.strip() + ",phone\n")
    with pytest.raises(DirectoryError, match=r"dir\.csv, row 1: unknown column; the columns "
                       r"are name,communities,.*,verified_by \(phone\)$"):
        read_directory(path)
    path = write(tmp_path / "dir.csv", "name,languages\n")
    with pytest.raises(TableError, match=r"dir\.csv, row 1: missing column \(areas, skills, "
                       r"verified_on, verified_by\)$"):
        read_directory(path)


def test_the_sample_directory_is_valid_and_fictional() -> None:
    entries = read_directory(SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
    assert 35 <= len(entries) <= 45
    areas = {a for o in entries for a in o.areas}
    assert areas == {"Kelham Haven", "Brackenfleet", "Aldercaster", "Ravensby", "Moorhead",
                     "Scarholme"}
    assert all(o.contact.endswith(".example") or not o.contact.count(".")
               or o.contact.startswith("via ") for o in entries)


def test_local_languages_are_synthetic_and_checked(tmp_path: Path) -> None:
    local = load_local_languages()
    assert list(local.columns) == ["area", "language", "language_name", "speakers"]
    assert "en" not in set(local["language"])
    text = SAMPLE_LOCAL_LANGUAGES.read_text(encoding="utf-8").splitlines()
    assert text[0].endswith(",source")
    assert all(line.endswith(",synthetic") for line in text[1:])
    bad = write(tmp_path / "local.csv", "area,language,speakers\nMoorhead,xx,3\n")
    with pytest.raises(DirectoryError, match=r"local\.csv, row 2: unknown language code "
                       r"\(xx\)$"):
        load_local_languages(bad)
    bad = write(tmp_path / "local.csv", "area,language,speakers\nMoorhead,pl,many\n")
    with pytest.raises(DirectoryError, match=r"row 2: speakers must be a whole number "
                       r"\(many\)$"):
        load_local_languages(bad)


# --------------------------------------------------------------------------- the store

def test_import_search_and_export_round_trip(db_url: str, tmp_path: Path) -> None:
    with open_store(db_url) as store:
        first = import_directory(store, SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
        again = import_directory(store, SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
        assert (first.added, first.updated, first.unchanged) == (41, 0, 0)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 41)
        out = tmp_path / "out.csv"
        assert export_directory(store, out) == 41
        assert out.read_bytes() == SAMPLE_DIRECTORY.read_bytes()
        stored = organisations(store)
    with open_store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        import_directory(other, out, today=SAMPLE_AS_OF)
        assert organisations(other) == stored
        export_directory(other, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()


def test_search(db_url: str) -> None:
    with open_store(db_url) as store:
        import_directory(store, SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
        farsi = ["Northmoor Community Interpreting Cooperative", "Northmoor Sanctuary Network"]
        assert names(search(store, language="fa")) == farsi
        assert names(search(store, language="Farsi")) == farsi
        assert names(search(store, language="fas")) == farsi
        assert names(search(store, skill="Hate crime reporting centre", area="MOORHEAD")) == [
            "Moorhead Community Hub"]
        assert names(search(store, skill="mentoring", area="Ravensby")) == [
            "African Families Network Northmoor", "Northmoor Race Equality Council"]
        assert names(search(store, community="gypsy", language="rom")) == [
            "Northmoor Gypsy and Traveller Voice"]
        assert names(search(store, community="100%_")) == []
        assert len(search(store)) == 41
        with pytest.raises(DirectoryLookupError, match=r"^unknown language; use an ISO 639 "
                           r"code or an English name, e.g\. pl or Polish \(Elvish\)$"):
            search(store, language="Elvish")
        with pytest.raises(DirectoryLookupError, match=r"^unknown skill; see competency "
                           r"directory skills \(juggling\)$"):
            search(store, skill="juggling")
        with pytest.raises(DirectoryLookupError, match=r"^unknown skill \(mentorin\); did you "
                           r"mean mentoring \(Mentoring\)\?$"):
            search(store, skill="mentorin")
        # areas by the start of their name, any case
        assert names(search(store, area="kelham")) == names(search(store, area="Kelham Haven"))
        assert len(search(store, area="KEL")) == len(search(store, area="kelham haven")) > 0
        assert search(store, area="haven") == []
        assert search(store, area="%") == []


def test_stale_entries_oldest_first(db_url: str) -> None:
    with open_store(db_url) as store:
        import_directory(store, SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
        old = stale(store, 730, as_of=SAMPLE_AS_OF)
        assert [(o.verified_on.isoformat(), o.name) for o in old] == [
            ("2023-09-30", "Bulgarian Cultural Club Kelham"),
            ("2024-02-19", "Scarholme Syrian Families Group"),
            ("2024-05-20", "Northmoor Roma Support Group")]
        assert len(stale(store, as_of=SAMPLE_AS_OF)) == 12
        assert stale(store, 0, as_of=dt.date(2023, 9, 30)) == []


def test_an_edit_keeps_every_version(db_url: str) -> None:
    with open_store(db_url) as store:
        first = org()
        second = org(skills="peer-support;outreach", verified_on="2026-06-01")
        assert save_organisations(store, [first], origin="command line").added == 1
        with pytest.raises(DirectoryLookupError, match=r"^Fen Polish Club: already in the "
                           r"directory; update it to record a new version$"):
            save_organisations(store, [second], origin="command line", update=False)
        result = save_organisations(store, [second], origin="edits.csv")
        assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
        assert organisations(store) == [second]
        assert names(search(store, skill="outreach")) == ["Fen Polish Club"]
        versions = history(store, "fen polish  CLUB")
        assert [(v.version, v.change, v.origin, v.organisation) for v in versions] == [
            (1, "added", "command line", first), (2, "updated", "edits.csv", second)]
        with pytest.raises(DirectoryLookupError, match=r": no organisation of that name in "
                           r"the directory; did you mean 'Fen Polish Club'\? \(Fen Polish "
                           r"Clubs\)$"):
            history(store, "Fen Polish Clubs")


def test_a_bad_row_adds_nothing(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "dir.csv", HEADER
                 + "Club A,,pl,Brackenfleet,advocacy,,,,2026-01-05,cdw\n"
                 + "Club B,,pl,Brackenfleet,juggling,,,,2026-01-05,cdw\n")
    with open_store(db_url) as store:
        with pytest.raises(DirectoryRowsError):
            import_directory(store, path, today=TODAY)
        assert organisations(store) == []


def test_language_support_finds_the_gaps() -> None:
    entries = read_directory(SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
    support = language_support(entries, load_local_languages())
    gaps = support[support["organisations"] == 0]
    assert sorted(zip(gaps["area"], gaps["language"], strict=True)) == [
        ("Aldercaster", "ig"), ("Aldercaster", "ta"), ("Aldercaster", "tr"),
        ("Brackenfleet", "bg"), ("Brackenfleet", "lv"), ("Kelham Haven", "lv"),
        ("Kelham Haven", "ti"), ("Moorhead", "th"), ("Ravensby", "lv"), ("Scarholme", "bg")]
    row = support[(support["area"] == "Moorhead") & (support["language"] == "ne")]
    assert row["names"].tolist() == ["Moorhead Nepalese Community Association"]
    frame = directory_frame(entries[:1])
    assert frame.loc[0, "languages"] == "Shona, Yoruba, Twi"


# --------------------------------------------------------------------------- the course

@pytest.mark.parametrize(("module", "name"), [
    ("04-equality-data", "community-directory.csv"),
    ("04-equality-data", "local-languages.csv"),
    ("05-challenging-racism", "community-directory.csv"),
])
def test_the_modules_ship_the_sample_files_unchanged(module: str, name: str) -> None:
    sample = SAMPLE_DIRECTORY.parent / name
    assert (COURSE / "source" / module / "data" / name).read_bytes() == sample.read_bytes()


def test_the_module_answers_follow_from_the_sample_directory(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        import_directory(store, SAMPLE_DIRECTORY, today=SAMPLE_AS_OF)
        # module 05, q12 and q13
        assert names(search(store, skill="hate-crime-reporting", area="Moorhead")) == [
            "Moorhead Community Hub"]
        assert names(search(store, skill="mentoring", area="Ravensby")) == [
            "African Families Network Northmoor", "Northmoor Race Equality Council"]
        entries = organisations(store)
    # module 04, q14: Brackenfleet's five most-spoken languages, and those with no support
    support = language_support(entries, load_local_languages())
    top = support[support["area"] == "Brackenfleet"].nlargest(5, "speakers")
    assert top["language_name"].tolist() == ["Polish", "Romanian", "Lithuanian", "Bulgarian",
                                             "Latvian"]
    assert top.loc[top["organisations"] == 0, "language_name"].tolist() == ["Bulgarian",
                                                                            "Latvian"]


# --------------------------------------------------------------------------- the CLI

def test_cli_import_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    done = cli("directory", "import", SAMPLE_DIRECTORY, "--store", url)
    assert (done.code, done.err) == (0, "")
    assert done.out == f"{SAMPLE_DIRECTORY}: added 41, updated 0, unchanged 0 -> {url}\n"
    out = tmp_path / "out.csv"
    done = cli("directory", "export", out, "--store", url)
    assert (done.code, done.err) == (0, f"{out}: 41 organisations\n")
    assert out.read_bytes() == SAMPLE_DIRECTORY.read_bytes()
    done = cli("directory", "import", out, "--store", url)
    assert done.out == f"{out}: added 0, updated 0, unchanged 41 -> {url}\n"


def test_cli_import_of_a_bad_file_counts_and_lists_every_bad_row(cli: Cli,
                                                                  tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    path = write(tmp_path / "dir.csv", HEADER
                 + "Club A,,pl,Brackenfleet,advocacy,,,,2026-01-05,cdw\n"
                 + "Club B,,Polish,Brackenfleet,advocacy,,,,2026-01-05,cdw\n"
                 + "Club C,,pl,Brackenfleet,advocacy,,,ewa@example.org,2026-01-05,cdw\n")
    done = cli("directory", "import", path, "--store", url)
    assert (done.code, done.out) == (2, "")
    assert done.err == (f"{path}, row 3: unknown language code; Polish is pl (Polish) (and 1 "
                        "more row with problems; --all-errors lists them)\n")
    done = cli("directory", "import", path, "--store", url, "--all-errors")
    assert (done.code, done.out) == (2, "")
    assert done.err == (
        f"{path}, row 3: unknown language code; Polish is pl (Polish)\n"
        f"{path}, row 4: looks like a personal email address; entries hold no personal "
        "contact details unless contact details are allowed (ewa@example.org)\n")
    assert cli("directory", "search", "--store", url).out == "no organisations match\n"
    done = cli("directory", "import", path, "--store", url, "--allow-contact-details")
    assert done.code == 2
    assert done.err == f"{path}, row 3: unknown language code; Polish is pl (Polish)\n"


def test_cli_add_update_and_history(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    base = ["directory", "add", "Fen Polish Club", "--store", url, "--area", "Brackenfleet",
            "--language", "pol", "--verified-by", "community development worker",
            "--verified-on", "2026-01-05"]
    done = cli(*base, "--skill", "peer-support")
    assert (done.code, done.out) == (0, f"Fen Polish Club: added -> {url}\n")
    done = cli(*base, "--skill", "peer-support;outreach")
    assert (done.code, done.err) == (2, "Fen Polish Club: already in the directory; update "
                                        "it to record a new version\n")
    done = cli(*base, "--skill", "peer-support", "--skill", "outreach", "--update")
    assert done.out == f"Fen Polish Club: updated -> {url}\n"
    done = cli(*base, "--skill", "peer-support", "--skill", "Outreach", "--update")
    assert done.out == f"Fen Polish Club: unchanged -> {url}\n"
    done = cli("directory", "history", "fen polish club", "--store", url)
    lines = done.out.splitlines()
    assert lines[0].startswith("version 1: added ")
    assert lines[0].endswith(" UTC from command line")
    assert lines[1:5] == ["  name: Fen Polish Club", "  communities: -", "  languages: pl",
                          "  areas: Brackenfleet"]
    assert lines[11].startswith("version 2: updated ")
    assert lines[12:] == ["  skills: peer-support -> peer-support;outreach"]


def test_cli_add_refuses_personal_data(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    base = ["directory", "add", "Club", "--store", url, "--area", "Ravensby", "--skill",
            "advocacy", "--verified-by", "cdw"]
    done = cli(*base, "--contact", "07700 900123")
    assert (done.code, done.err) == (2, "Club, contact: looks like a phone number; entries "
                                        "hold no personal contact details unless "
                                        "contact details are allowed (07700 900123)\n")
    done = cli(*base, "--contact", "07700 900123", "--allow-contact-details")
    assert done.code == 0
    done = cli("directory", "add", "Other", "--store", url, "--area", "Ravensby", "--skill",
               "advocacy", "--verified-by", "J. Price")
    assert (done.code, done.err) == (2, "Other, verified_by: looks like a person's name; "
                                        "record the role, not the name (J. Price)\n")
    done = cli(*base, "--verified-on", "5 Jan")
    assert done.err == ("competency: Invalid value for '--verified-on': '5 Jan' is not a "
                        "date (use YYYY-MM-DD)\n")


def test_cli_search_never_creates_a_store(cli: Cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "none" / "c.db"
    done = cli("directory", "search", "--store", f"sqlite:///{db}", "--area", "Moorhead")
    assert (done.code, done.out) == (2, "")
    assert done.err == f"sqlite:///{db}: no store there ({db} does not exist)\n"
    assert list(tmp_path.iterdir()) == []
    done = cli("directory", "search", "--language", "pl")  # the default store: not there
    assert done.code == 2
    assert len(done.err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_search_stale_skills_and_languages(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    cli("directory", "import", SAMPLE_DIRECTORY, "--store", url)
    done = cli("directory", "search", "--store", url, "--language", "Nepali", "--area",
               "moorhead")
    assert done.out == (
        "Moorhead Nepalese Community Association\n"
        "  communities: Nepali, Gurkha families\n"
        "  languages:   ne Nepali\n"
        "  areas:       Moorhead\n"
        "  skills:      peer-support, faith-liaison, carers-support, translation, "
        "community-venue\n"
        "  capacity:    Many members are former Gurkha soldiers and their families; older "
        "members speak little English\n"
        "  contact:     Chair; via the Moorhead Community Hub\n"
        "  verified:    2026-04-14 by community nurse team leader\n"
        "1 organisation\n")
    done = cli("directory", "search", "--store", url, "--skill", "interpreting")
    assert (done.code, done.out) == (2, "")
    assert done.err == ("unknown skill (interpreting); did you mean interpreting-support "
                        "(Interpreting support)?\n")
    done = cli("directory", "search", "--store", url, "--skill", "juggling")
    assert (done.code, done.err) == (2, "unknown skill; see competency directory skills "
                                        "(juggling)\n")
    done = cli("directory", "stale", "--store", url, "--as-of", "2026-09-30",
               "--older-than-days", "900")
    assert done.out == ("2023-09-30   1096 days  Bulgarian Cultural Club Kelham (verified by "
                        "community development worker)\n"
                        "2024-02-19    954 days  Scarholme Syrian Families Group (verified by "
                        "community development worker)\n"
                        "2 to verify\n")
    done = cli("directory", "stale", "--store", url, "--as-of", "2023-01-01")
    assert done.out == "every entry is in date\n"
    extra = write(tmp_path / "ours.yaml", "skills:\n  food-bank:\n    name: Food bank\n"
                  "    description: Emergency food parcels.\n")
    done = cli("directory", "skills", "--skills", extra)
    assert done.out.endswith("food-bank                Food bank\n    Emergency food "
                             "parcels.\n")
    assert "hate-crime-reporting     Hate crime reporting centre\n" in done.out
    assert cli("directory", "languages", "kurd").out == (
        "ku   kur  Kurdish\nkmr  kmr  Northern Kurdish (Kurmanji)\n"
        "ckb  ckb  Central Kurdish (Sorani)\n")
