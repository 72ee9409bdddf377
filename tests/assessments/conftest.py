import datetime as dt

import pytest

from assessments.services import CandidateData, PlanItem, PlanPerson, batch_create
from filing_portal.core.deadlines import run_deadlines
from institutions.models import Filing
from tests.institutions.conftest import draft, make_draft, occupations, on, people, regions  # noqa: F401
from tests.institutions.test_workflow import walk_to_notice
from tests.personal_data.helpers import with_check_digit

D = dt.date.fromisoformat


@pytest.fixture
def filing(draft, people):  # noqa: F811
    walk_to_notice(draft, people)
    run_deadlines(D("2026-03-10"))
    return Filing.objects.get(institution=people["inst"])


STAFF = [PlanPerson("invigilator", "钱监考", "13900000001", "合肥市第一中学"),
         PlanPerson("assessor", "孙考评", "13900000002"), PlanPerson("supervisor", "周督导", "13900000003")]


def plan(filing, people, occupations, *, exam="2026-04-20", levels=(3, 4), staff=STAFF, **extra):  # noqa: F811
    with on("2026-04-01"):
        return batch_create(filing=filing, acting_user=people["inst_user"], exam_start=D(exam), exam_end=D(exam),
                            venue_address="合肥市蜀山区实训楼1号", candidate_source="社会人员", planned_count=40,
                            items=[PlanItem(occupations["4-12-01-01"].pk, lvl, "汽车机械维修工") for lvl in levels],
                            staff=staff, **extra)


def person(i: int, *, level=3, gender="M", name=None, employer="合肥某汽修厂") -> CandidateData:
    # 17th digit odd for men, even for women (GB 11643)
    seq = f"{i % 100:02d}{1 if gender == 'M' else 2}"
    return CandidateData(name=name or f"考生{i}", gender=gender, id_type="201",
                         id_number=with_check_digit(f"34010419950101{seq}"), occupation_code="4-12-01-01",
                         level=level, work_type="汽车机械维修工", employer=employer, city="合肥市")
