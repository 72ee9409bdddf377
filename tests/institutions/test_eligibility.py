"""Eligibility at submission: every refusal names its rule (ELIG-01…11, CHG-04/05)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from institutions.models import Attachment, FilingApplication, validate_uscc
from institutions.services import applications as svc
from institutions.services.eligibility import EligibilityError
from tests.institutions.conftest import make_draft, on
from tests.institutions.test_workflow import walk_to_notice


def rules_of(exc) -> set[str]:
    return {p.rule for p in exc.value.problems}


def test_digit_and_letter_prefixed_credit_codes__ELIG_01():
    digit = "91340100MA2N3K4L1" + uscc.calc_check_digit("91340100MA2N3K4L1")
    letter = "Y1340100MA2N3K4L1" + uscc.calc_check_digit("Y1340100MA2N3K4L1")
    validate_uscc(digit)
    validate_uscc(letter)  # GB 32100 allows letters in positions 1–2; stdnum's validate would refuse it
    for bad in (digit[:-1] + ("0" if digit[-1] != "0" else "1"), "91340100MA2N3K4L1", "9134O100MA2N3K4L1X",
                "91340100MA2N3K4LIX"):
        with pytest.raises(ValidationError) as err:
            validate_uscc(bad)
        assert err.value.code == "ELIG-01"


def test_access_licensed_and_non_skill_occupations_are_refused__ELIG_03(people, occupations):
    for code in ("4-07-05-03", "2-02-10-01"):
        app = make_draft(people["inst"], occupations, code=code)
        with pytest.raises(EligibilityError) as err:
            svc.application_submit(application=app, acting_user=people["inst_user"])
        assert "ELIG-03" in rules_of(err)
        assert FilingApplication.objects.get(pk=app.pk).state == "draft"


def test_technician_levels_need_prior_senior_evaluation__ELIG_05(people, occupations):
    app = make_draft(people["inst"], occupations, levels=(2, 3))
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-05"}


def test_province_wide_scope_needs_experience__ELIG_06(people, occupations):
    app = make_draft(people["inst"], occupations, province_wide=True, years_of_experience=5, total_person_times=25000)
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-06"}  # 5,000 in the occupation missing
    app.occupations.update(person_times=6000)
    svc.application_submit(application=app, acting_user=people["inst_user"])


def test_employer_needs_the_incentive_scheme__ELIG_08(people, occupations):
    app = make_draft(people["employer"], occupations, address="芜湖市鸠江区厂区3号")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["employer_user"])
    assert "ELIG-08" in rules_of(err)
    Attachment.objects.create(application=app, kind="incentive", original_name="激励办法.pdf", content_type="application/pdf",
                              size=10, sha256="0" * 64, uploaded_by=people["employer_user"], file="x.pdf")
    FilingApplication.objects.filter(pk=app.pk).update(main_business="汽车零部件制造")  # ELIG-04
    app.occupations.update(business_relation="售后维修车间的主要工种")
    svc.application_submit(application=FilingApplication.objects.get(pk=app.pk), acting_user=people["employer_user"])


def test_association_needs_3a__ELIG_09(people, occupations):
    inst = people["inst"]
    inst.sub_type, inst.association_rating = "association", "2A"
    inst.save()
    app = make_draft(inst, occupations)
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-09"}


def test_temporary_rental_refused__ELIG_10(people, occupations):
    app = make_draft(people["inst"], occupations, tenure="temporary")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-10"}


def test_a_venue_filed_by_another_institution_for_the_occupation__ELIG_10(people, occupations):
    first = walk_to_notice(make_draft(people["other"], occupations, address="合肥市 蜀山区 实训楼1号"),
                           {**people, "inst_user": people["other_user"]})
    from filing_portal.core.deadlines import run_deadlines

    run_deadlines(dt.date(2026, 3, 10))
    first.refresh_from_db()
    assert first.state == "approved"
    app = make_draft(people["inst"], occupations, address="合肥市蜀山区实训楼1号")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-10"} and "合肥另一家评价机构" in err.value.message
    other_occupation = make_draft(people["inst"], occupations, address="合肥市蜀山区实训楼1号", code="6-18-01-01")
    svc.application_submit(application=other_occupation, acting_user=people["inst_user"])


def test_revoked_institution_waits_three_years__ELIG_11(people, occupations):
    from filing_portal.core.deadlines import run_deadlines
    from institutions.models import Filing
    from institutions.services.filings import filing_revoke

    walk_to_notice(make_draft(people["inst"], occupations), people)
    run_deadlines(dt.date(2026, 3, 10))
    filing = Filing.objects.get(institution=people["inst"])
    with on("2026-06-01"):
        filing_revoke(filing=filing, reason="出售证书", acting_user=people["city_hefei"])
    app = make_draft(people["inst"], occupations, address="合肥市新址2号")
    with on("2029-05-31"), pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-11"} and "2029-06-01" in err.value.message
    with on("2029-06-01"):
        svc.application_submit(application=app, acting_user=people["inst_user"])


def test_every_problem_is_reported_at_once(people, occupations):
    app = make_draft(people["inst"], occupations, levels=(1, 3), tenure="temporary")
    with pytest.raises(EligibilityError) as err:
        svc.application_submit(application=app, acting_user=people["inst_user"])
    assert rules_of(err) == {"ELIG-05", "ELIG-10"}
    assert len(err.value.as_dict()["problems"]) == 2
