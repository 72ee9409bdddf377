"""The applicant form's fields for ELIG-04 (employers' main business) and CHG-03 (date of the change), and the
ELIG-03 rule ID in the message a user sees for an unknown occupation."""

import pytest
from django.urls import reverse

from institutions.models import FilingApplication
from institutions.services import applications as svc
from tests.institutions.conftest import make_draft
from tests.institutions.test_applicant_pages import formset_data


def edit_url(app, step):
    return reverse("institutions:application_edit", args=[app.pk, step])


def test_unknown_occupation_error_shows_its_rule__ELIG_03(client, people, occupations):
    client.force_login(people["inst_user"])
    app = svc.application_create(institution=people["inst"], acting_user=people["inst_user"])
    r = client.post(edit_url(app, "occupations"), formset_data("occ", [
        {"occupation": "9-99-99-99", "work_type": "", "levels": ["5"], "own_assessors": "1",
         "experience_years": "1", "person_times": "12"}], action="continue"))
    assert r.status_code == 200
    body = r.content.decode()
    error = body.split('id="id_occ-0-occupation-error"')[1].split("</div>")[0]
    assert "ELIG-03" in error and "9-99-99-99" in error
    assert not app.occupations.exists()


def test_employer_records_main_business_and_each_occupations_relation__ELIG_04(client, people, occupations):
    client.force_login(people["employer_user"])
    app = svc.application_create(institution=people["employer"], acting_user=people["employer_user"])
    r = client.post(edit_url(app, "basics"), {
        "years_of_experience": "6", "total_person_times": "9000", "main_business": "汽车零部件制造与售后维修",
        "action": "continue"})
    assert r.status_code == 302
    r = client.post(edit_url(app, "occupations"), formset_data("occ", [
        {"occupation": "4-12-01-01", "work_type": "", "levels": ["4"], "own_assessors": "3",
         "experience_years": "2", "person_times": "700", "business_relation": "售后维修车间的主要工种"}],
        action="continue"))
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.main_business == "汽车零部件制造与售后维修"
    assert app.occupations.get().business_relation == "售后维修车间的主要工种"


def test_social_organisations_are_not_asked_for_a_main_business__ELIG_04(client, people, occupations):
    client.force_login(people["inst_user"])
    app = svc.application_create(institution=people["inst"], acting_user=people["inst_user"])
    basics = client.get(edit_url(app, "basics")).content.decode()
    occupations_page = client.get(edit_url(app, "occupations")).content.decode()
    assert 'name="main_business"' not in basics and 'name="change_date"' not in basics
    assert "business_relation" not in occupations_page


@pytest.fixture
def scope_change(people, occupations):
    from tests.institutions.test_public_pages import make_filing

    filing = make_filing(people["inst"], occupations)
    return make_draft(people["inst"], occupations, kind="scope_change", filing=filing)


def test_a_change_records_its_date__CHG_03(client, people, scope_change):
    client.force_login(people["inst_user"])
    assert 'name="change_date"' in client.get(edit_url(scope_change, "basics")).content.decode()
    r = client.post(edit_url(scope_change, "basics"), {
        "years_of_experience": "6", "total_person_times": "9000", "change_date": "2026-03-31", "action": "continue"})
    assert r.status_code == 302
    assert str(FilingApplication.objects.get(pk=scope_change.pk).change_date) == "2026-03-31"


def test_an_information_change_records_its_date__CHG_03(client, people, occupations):
    from tests.institutions.test_public_pages import make_filing

    filing = make_filing(people["inst"], occupations)
    client.force_login(people["inst_user"])
    change = svc.application_create(institution=people["inst"], acting_user=people["inst_user"], kind="info_change",
                                    filing=filing)
    inst = people["inst"]
    r = client.post(edit_url(change, "changes"), {
        "name": inst.name, "legal_representative": inst.legal_representative, "head": "周新", "contact_name": "",
        "contact_phone": "", "contact_email": "", "address": inst.address, "change_date": "2026-03-31",
        "action": "continue"})
    assert r.status_code == 302
    change.refresh_from_db()
    assert change.proposed_changes == {"head": "周新"} and str(change.change_date) == "2026-03-31"
