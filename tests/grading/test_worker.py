from __future__ import annotations

from competency.grading.sandbox import Limits
from competency.grading.worker import Job, NotebookJob


def test_a_job_survives_its_trip_as_json() -> None:
    job = Job(3, "learner1", "/tmp/files", [NotebookJob("01-law", [(2, "x = 1"), (5, "x")])],
              Limits(cell_timeout=5.0), protect=["/course"], uid=None, reaper="subreaper",
              workroot="/tmp/work")
    back = Job.from_json(job.to_json())
    assert back == job
    assert back.notebooks[0].cells == [(2, "x = 1"), (5, "x")]
    assert isinstance(back.limits, Limits)
