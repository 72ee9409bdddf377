"""Shared fixtures of the supervision tests: a filed institution (from tests/assessments), a batch with
certificates, and a case walked to `investigating`.

Import explicitly (there is no tests/supervision/conftest.py):
`from tests.supervision.fixtures import draft, filing, issued_batch, occupations, people, regions  # noqa: F401`.
"""

import datetime as dt

import pytest

from assessments.models import AssessmentBatch
from assessments.services import batch_issue_certificates, batch_publish_results, batch_report_results
from supervision.cases import case_investigate, case_open
from supervision.models import Case
from tests.assessments.conftest import filing, plan  # noqa: F401
from tests.assessments.test_batches import conduct_with_results, scheduled  # noqa: F401
from tests.institutions.conftest import draft, occupations, on, people, regions  # noqa: F401

D = dt.date.fromisoformat
EXAM_DAY = D("2026-04-20")  # the exam of `issued_batch` (the filing is valid from 2026-03-10)


@pytest.fixture
def issued_batch(scheduled, people):  # noqa: F811
    """A batch examined on 2026-04-20 whose 5 passers got certificates on 2026-04-28."""
    batch = conduct_with_results(scheduled, people, n=6)
    with on("2026-04-21"):
        batch = batch_publish_results(batch=batch, acting_user=people["inst_user"])
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def investigating_case(filing, user, *, summary="督导检查发现违规", day="2026-05-06") -> Case:  # noqa: F811
    """A staff case about `filing`, opened and under investigation by `user` on `day`."""
    with on(day):
        case = case_open(institution=filing.institution, filing=filing, region=filing.handling_region,
                         origin=Case.Origin.STAFF, summary=summary, acting_user=user)
        return case_investigate(case=case, acting_user=user)
