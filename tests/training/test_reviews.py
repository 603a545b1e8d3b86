"""Training reviews: the catalogue, the append-only review log, and the status on a date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.dates import add_months
from competency.errors import ReviewError, TableError
from competency.framework.model import Framework
from competency.training.reviews import (
    Catalogue,
    Review,
    ReviewLog,
    Training,
    load_catalogue,
    load_review_csv,
    make_review,
    render_status,
    review_status,
)
from conftest import COURSE, REPO, CliResult

Cli = Callable[..., CliResult]
SAMPLE = REPO / "src" / "competency" / "data" / "sample-org"
DAY = dt.date(2026, 11, 26)
CATALOGUE_HEADER = "course_id,title,provider,competencies,levels,delivery\n"
LOG_HEADER = ("course_id,reviewed_on,reviewer,framework_version,verdict,competencies,levels,"
              "next_review_due,notes\n")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def external(course_id: str, *covers: tuple[str, int]) -> Training:
    return Training(course_id, course_id.title(), "someone", covers, "external")


def review(course_id: str, on: str, verdict: str = "meets", *confirmed: tuple[str, int],
           due: str | None = None, version: str = "1.0") -> Review:
    day = dt.date.fromisoformat(on)
    return Review(course_id, day, "A. Reviewer", version, verdict, confirmed,
                  dt.date.fromisoformat(due) if due else add_months(day, 12))




def test_status_states_and_coverage(framework: Framework) -> None:
    catalogue = Catalogue((external("a", ("LAW-1", 3)), external("b", ("LAW-1", 1)),
                           external("c", ("CUL-1", 2)), external("d", ("EIA-1", 1)),
                           external("e", ("RACE-1", 1))))
    reviews = [
        review("a", "2025-01-10", "partly", ("LAW-1", 3)),        # overdue by the as-of date
        review("a", "2026-02-01", "partly", ("LAW-1", 2)),        # latest: in date, level 2
        review("b", "2026-03-01", "meets", ("LAW-1", 1)),         # meets beats partly at 1
        review("c", "2025-10-01", "meets", ("CUL-1", 2), due="2026-10-01"),  # overdue
        review("d", "2026-05-05", "does not meet"),               # in date, covers nothing
        review("e", "2027-01-01", "meets", ("RACE-1", 1)),        # after as-of: ignored
        review("zz", "2026-01-01", "meets", ("LAW-2", 1)),        # not in the catalogue
    ]
    status = review_status(catalogue, reviews, framework, DAY)
    assert [(c.training.course_id, c.state) for c in status.courses] == [
        ("a", "in date"), ("b", "in date"), ("c", "overdue"), ("d", "in date"),
        ("e", "never reviewed")]
    assert status.share_in_date == 0.6
    assert status.coverage["LAW-1"] == {1: "meets", 2: "partly", 3: "gap", 4: "gap"}
    assert status.coverage["CUL-1"] == {1: "gap", 2: "gap", 3: "gap", 4: "gap"}
    assert status.coverage["EIA-1"][1] == "gap"
    assert len(status.gaps()) == 48 - 2
    assert status.warnings == ("1 reviewed course_id(s) are not in the catalogue (zz); "
                               "their reviews are ignored",)


def test_a_review_lapses_on_its_due_date(framework: Framework) -> None:
    catalogue = Catalogue((external("a", ("LAW-1", 1)),))
    reviews = [review("a", "2025-11-26", "meets", ("LAW-1", 1))]
    assert review_status(catalogue, reviews, framework, dt.date(2026, 11, 25)).courses[0].state \
        == "in date"
    assert review_status(catalogue, reviews, framework, DAY).courses[0].state == "overdue"


def test_other_framework_versions_are_warned_about(framework: Framework) -> None:
    catalogue = Catalogue((external("a", ("LAW-1", 1)),))
    status = review_status(catalogue, [review("a", "2026-01-01", "meets", ("LAW-1", 1),
                                              version="0.9")], framework, DAY)
    assert status.warnings == ("1 course(s) were last reviewed against another framework "
                               "version than 1.0 (a)",)


def test_render_status(framework: Framework) -> None:
    catalogue = Catalogue((external("a", ("LAW-1", 2)), external("long-course-id"),
                           external("c", ("CUL-1", 1))))
    reviews = [review("a", "2026-01-01", "meets", ("LAW-1", 2)),
               review("c", "2025-01-01", "partly", ("CUL-1", 1))]
    text = render_status(review_status(catalogue, reviews, framework, DAY), framework)
    lines = text.splitlines()
    assert lines[:7] == [
        "Training reviews as of 2026-11-26 (Race Equality and Cultural Capability 1.0)",
        "Catalogue: 3 courses (0 course modules, 3 external)",
        "Reviewed and in date: 1 of 3 (33%)",
        "Overdue: 1",
        "  c               due 2026-01-01 (329 days ago; last verdict: partly)  C",
        "Never reviewed: 1",
        "  long-course-id  Long-Course-Id"]
    assert lines[8] == "Reviewed training in date (meets/partly) by competency and level:"
    assert lines[9] == ("          1 Foundation    2 Practitioner  3 Lead          "
                        "4 Strategic")
    assert lines[10] == "  LAW-1   meets           meets           gap             gap"
    assert lines[-1] == "Gaps: 46 of 48 competency levels have no reviewed training in date."


def test_review_log_csv(framework: Framework, tmp_path: Path) -> None:
    path = write(tmp_path / "reviews.csv", LOG_HEADER
                 + "a,2025-03-31,Me,1.0,Partly,LAW-1;CUL-1,2;1,,\n"
                 + "b,2025-04-01,Me,1.0,does not meet,,,2025-10-01,short\n")
    assert load_review_csv(path, framework) == [
        Review("a", dt.date(2025, 3, 31), "Me", "1.0", "partly", (("LAW-1", 2), ("CUL-1", 1)),
               dt.date(2026, 3, 31)),
        Review("b", dt.date(2025, 4, 1), "Me", "1.0", "does not meet", (),
               dt.date(2025, 10, 1), "short")]
    assert load_review_csv(tmp_path / "absent.csv", framework) == []


@pytest.mark.parametrize(("row", "message"), [
    ("a,2025-02-30,Me,1.0,meets,LAW-1,1,,", r"malformed reviewed_on; use YYYY-MM-DD "
                                           r"\(2025-02-30\)"),
    ("a,2025-01-01,Me,1.0,great,LAW-1,1,,", r"unknown verdict; use meets, partly or does not "
                                            r"meet \(great\)"),
    ("a,2025-01-01,Me,1.0,meets,LAW-1,1,2024-01-01,", r"next_review_due is not after "
                                                      r"reviewed_on \(2024-01-01\)"),
    ("a,2025-01-01,,1.0,meets,LAW-1,1,,", r"empty reviewer"),
])
def test_review_log_problems(framework: Framework, tmp_path: Path, row: str,
                             message: str) -> None:
    path = write(tmp_path / "reviews.csv", LOG_HEADER + row + "\n")
    with pytest.raises(TableError, match=r"reviews\.csv, row 2: " + message + "$"):
        load_review_csv(path, framework)


def test_make_review_defaults_and_problems(framework: Framework) -> None:
    catalogue = Catalogue((external("a", ("LAW-1", 2), ("CUL-1", 1)),))
    made = make_review("a", catalogue, framework, reviewer="Me", verdict="Meets",
                       reviewed_on=dt.date(2024, 2, 29))
    assert made == Review("a", dt.date(2024, 2, 29), "Me", "1.0", "meets",
                          (("LAW-1", 2), ("CUL-1", 1)), dt.date(2025, 2, 28))
    assert make_review("a", catalogue, framework, reviewer="Me", verdict="partly",
                       confirmed=["LAW-1:1"]).confirmed == (("LAW-1", 1),)
    for kwargs, message in [
        ({"course_id": "b"}, "unknown course_id (b); the catalogue has: a"),
        ({"verdict": "good"}, "unknown verdict (good); use meets, partly or does not meet"),
        ({"confirmed": ["LAW-1"]}, "confirmed LAW-1: give one level, or one per competency "
                                   "(LAW-1 / ); use ID:LEVEL"),
        ({"confirmed": ["LAW-1:9"]}, "confirmed LAW-1:9: unknown level (9); use ID:LEVEL"),
        ({"verdict": "does not meet", "confirmed": ["LAW-1:1"]},
         "a course that does not meet the framework confirms no competencies"),
        ({"next_review_due": dt.date(2020, 1, 1)},
         "next review due 2020-01-01 is not after the review (2024-02-29)"),
    ]:
        args: dict[str, Any] = {"course_id": "a", "verdict": "meets", "confirmed": (),
                                "next_review_due": None, **kwargs}
        with pytest.raises(ReviewError) as caught:
            make_review(args.pop("course_id"), catalogue, framework, reviewer="Me",
                        reviewed_on=dt.date(2024, 2, 29), **args)
        assert str(caught.value) == message


def test_csv_log_appends_keeping_what_is_there(framework: Framework, tmp_path: Path) -> None:
    path = write(tmp_path / "reviews.csv", LOG_HEADER.rstrip("\n") + ",extra\n"
                 + "a,2025-03-31,Me,1.0,partly,LAW-1,2,,,kept")  # no final newline
    before = path.read_text("utf-8")
    log = ReviewLog(path=path)
    new = review("b", "2026-01-05", "meets", ("CUL-1", 1), ("LAW-1", 2))
    assert log.append(new, framework) is True
    assert log.append(new, framework) is False
    text = path.read_text("utf-8")
    assert text == (before + "\nb,2026-01-05,A. Reviewer,1.0,meets,LAW-1;CUL-1,2;1,"
                    "2027-01-05,,\n").replace("LAW-1;CUL-1,2;1", "CUL-1;LAW-1,1;2")
    assert [r.course_id for r in log.read(framework)] == ["a", "b"]
    fresh = ReviewLog(path=tmp_path / "new.csv")
    assert fresh.append(new, framework) is True
    assert (tmp_path / "new.csv").read_text("utf-8").splitlines()[0] == LOG_HEADER.strip()


def test_store_log(framework: Framework, db_url: str) -> None:
    log = ReviewLog(store_url=db_url)
    first = review("a", "2026-01-05", "meets", ("CUL-1", 1))
    second = review("a", "2026-02-05", "does not meet", due="2026-06-30")
    assert log.append(first, framework) is True
    assert log.append(second, framework) is True
    assert log.append(first, framework) is False
    assert log.read(framework) == [first, second]


# --------------------------------------------------------------------------- CLI and sample

def sample_org(tmp_path: Path) -> Path:
    org = tmp_path / "org"
    shutil.copytree(SAMPLE, org)
    return org


def test_sample_files(framework: Framework) -> None:
    listed = load_catalogue(SAMPLE / "catalogue.csv", framework)
    assert 8 <= sum(c.kind == "external" for c in listed) <= 15
    catalogue = load_catalogue(SAMPLE / "catalogue.csv", framework, COURSE)
    # the catalogue lists the course's modules as the course map has them, so the sample
    # is whole without the course directory (an installed package)
    assert listed == catalogue
    assert [c.course_id for c in listed if c.kind == "module"] == sorted(
        p.name for p in (COURSE / "source").iterdir() if p.is_dir())
    status = review_status(catalogue, load_review_csv(SAMPLE / "reviews.csv", framework),
                           framework, DAY)
    assert status.warnings == ()
    states = [c.state for c in status.courses]
    assert states.count("overdue") >= 2
    assert states.count("never reviewed") >= 2
    assert states.count("in date") >= 3


def test_sample_config_status_without_a_course_warns_of_nothing(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./course here
    result = cli("reviews", "status", "--config", SAMPLE / "competency.toml")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.startswith("Training reviews as of 2026-11-26 ")  # pinned by the config
    assert "Catalogue: 20 courses (7 course modules, 13 external)" in result.out


def test_cli_add_then_status(cli: Cli, tmp_path: Path) -> None:
    org = sample_org(tmp_path)
    config = org / "competency.toml"
    status = cli("reviews", "status", "--config", config, "--as-of", "2026-11-26", "--json",
                 "--course", COURSE)
    assert (status.code, status.err) == (0, "")
    before = json.loads(status.out)
    assert before["coverage"]["LEAD-1"] == {"1": "gap", "2": "gap", "3": "gap", "4": "gap"}
    assert "ext-board-race-equality" in [c["course_id"] for c in before["never_reviewed"]]
    result = cli("reviews", "add", "ext-board-race-equality", "--reviewer", "N. Director",
                 "--verdict", "partly", "--confirm", "LEAD-1:3", "--on", "2026-11-20",
                 "--config", config, "--course", COURSE)
    assert (result.code, result.err) == (0, "")
    assert result.out == (f"{(org / 'reviews.csv').resolve()}: recorded partly for "
                          "ext-board-race-equality, next review due 2027-11-20\n")
    after = json.loads(cli("reviews", "status", "--config", config, "--as-of", "2026-11-26",
                           "--json", "--course", COURSE).out)
    assert after["coverage"]["LEAD-1"] == {"1": "partly", "2": "partly", "3": "partly",
                                           "4": "gap"}
    assert after["in_date"] == before["in_date"] + 1
    again = cli("reviews", "add", "ext-board-race-equality", "--reviewer", "N. Director",
                "--verdict", "partly", "--confirm", "LEAD-1:3", "--on", "2026-11-20",
                "--config", config, "--course", COURSE)
    assert again.out.endswith(": this review of ext-board-race-equality is already recorded\n")


def test_cli_status_text_and_catalogue(cli: Cli, tmp_path: Path) -> None:
    org = sample_org(tmp_path)
    result = cli("reviews", "status", "--config", org / "competency.toml", "--as-of",
                 "2026-11-26", "--course", tmp_path / "no-course")
    assert result.code == 2
    assert result.err == (f"{tmp_path / 'no-course'}: no source/ folder; is this an nbgrader "
                          "course directory?\n")
    result = cli("reviews", "catalogue", "--catalogue", org / "catalogue.csv", "--course",
                 COURSE)
    assert result.code == 0
    kinds = {line.split()[0]: line.split()[1] for line in result.out.splitlines()}
    assert kinds["01-equality-law"] == "module"
    assert kinds["ext-edhr-elearning"] == "external"
    assert "ext-interpreters             external Working with interpreters and translated " \
           "information (Northmoor Community Languages Service): CUL-2 2, DATA-1 1" \
           in result.out.splitlines()


def test_cli_store_log(cli: Cli, tmp_path: Path) -> None:
    catalogue = write(tmp_path / "catalogue.csv", CATALOGUE_HEADER + "a,A,p,LAW-1,2,\n")
    store = f"sqlite:///{tmp_path / 'competency.db'}"
    args = ("--catalogue", catalogue, "--course", tmp_path / "none", "--store", store)
    (tmp_path / "none" / "source").mkdir(parents=True)
    result = cli("reviews", "add", "a", "--reviewer", "Me", "--verdict", "meets",
                 "--on", "2026-01-01", *args)
    assert result.code == 0, result.err
    result = cli("reviews", "status", "--as-of", "2026-06-01", *args)
    assert "Reviewed and in date: 1 of 1 (100%)" in result.out
    assert "  LAW-1   meets           meets           gap             gap" in result.out
    result = cli("reviews", "add", "a", "--reviewer", "Me", "--verdict", "meets",
                 "--on", "2026-13-01", *args)
    assert (result.code, result.err) == (
        2, "competency: Invalid value for '--on': '2026-13-01' is not a date (use YYYY-MM-DD)\n")


def test_every_bad_log_row_is_counted(framework: Framework, tmp_path: Path) -> None:
    path = write(tmp_path / "reviews.csv", LOG_HEADER
                 + "a,2025-03-31,Me,1.0,partly,LAW-1,2,,\n"
                 + ",2025-03-31,Me,1.0,partly,LAW-1,2,,\n"
                 + "c,2025-03-31,Me,1.0,perhaps,LAW-1,2,,\n")
    with pytest.raises(TableError) as caught:
        ReviewLog(path=path).read(framework)
    assert str(caught.value) == (f"{path}, row 3: empty course_id (and 1 more row with "
                                 "problems; --all-errors lists them)")
    assert caught.value.lines()[1] == (f"{path}, row 4: unknown verdict; use meets, partly or "
                                       "does not meet (perhaps)")
