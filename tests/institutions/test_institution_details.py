"""/my/institution/: an institution edits its own fee standards (PUB-03) and subsidiaries (ELIG-02), audited;
name, head and contacts are not editable here (CHG-02)."""

from decimal import Decimal

import pytest

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from institutions.models import FeeStandard, Institution, Subsidiary
from institutions.services.institution_details import institution_public_details_update
from tests.factories import make_uscc
from tests.institutions.test_applicant_pages import formset_data

URL = "/my/institution/"


def test_institution_edits_its_fee_standards_and_the_edit_is_audited__PUB_03(client, people):
    FeeStandard.objects.create(institution=people["inst"], item="旧收费", amount_yuan=100)
    client.force_login(people["inst_user"])
    page = client.get(URL)
    assert page.status_code == 200 and 'value="旧收费"' in page.content.decode()
    data = formset_data("fee", [
        {"item": "旧收费", "level": "", "amount_yuan": "100", "basis": "", "DELETE": "on"},
        {"item": "汽车维修工 技能等级认定", "level": "4", "amount_yuan": "220.00", "basis": "皖价费〔2018〕12号"},
        {"item": "", "level": "", "amount_yuan": "", "basis": ""},
    ], initial=1)
    response = client.post(URL, data)
    assert response.status_code == 302
    assert list(FeeStandard.objects.filter(institution=people["inst"]).values_list("item", "level", "amount_yuan")) \
        == [("汽车维修工 技能等级认定", 4, Decimal("220.00"))]
    event = AuditEvent.objects.get(action="institution.public_details_update")
    assert event.actor_id == people["inst_user"].pk
    assert event.data["before"]["fee_standards"][0]["item"] == "旧收费"
    assert event.data["after"]["fee_standards"][0]["amount_yuan"] == "220.00"


def test_a_negative_fee_keeps_the_typed_rows_and_saves_nothing__PUB_03(client, people):
    client.force_login(people["inst_user"])
    response = client.post(URL, formset_data("fee", [{"item": "理论考试费", "level": "", "amount_yuan": "-5",
                                                      "basis": ""}]))
    assert response.status_code == 400
    assert 'value="理论考试费"' in response.content.decode()
    assert not FeeStandard.objects.exists() and not AuditEvent.objects.filter(
        action="institution.public_details_update").exists()


def test_the_page_offers_no_name_head_or_contacts__CHG_02(client, people):
    client.force_login(people["inst_user"])
    body = client.get(URL).content.decode()
    for field in ("name", "head", "legal_representative", "contact_name", "contact_phone"):
        assert f'name="{field}"' not in body
    client.post(URL, {**formset_data("fee", []), "name": "改名机构", "head": "新负责人"})
    assert Institution.objects.get(pk=people["inst"].pk).name == "合肥新华职业技能评价中心"


def test_employer_lists_subsidiaries__ELIG_02(client, people):
    client.force_login(people["employer_user"])
    code = make_uscc("340200")
    data = {**formset_data("fee", []), **formset_data("sub", [{"name": "芜湖江城精密铸造有限公司", "uscc": code}])}
    assert client.post(URL, data).status_code == 302
    assert list(Subsidiary.objects.values_list("name", "uscc")) == [("芜湖江城精密铸造有限公司", code)]


def test_a_bad_subsidiary_code_is_refused_next_to_the_field__ELIG_01_ELIG_02(client, people):
    client.force_login(people["employer_user"])
    data = {**formset_data("fee", []), **formset_data("sub", [{"name": "某子公司", "uscc": "91340200MA2RYD5J0X"}])}
    response = client.post(URL, data)
    assert response.status_code == 400 and "ELIG-01" in response.content.decode()
    assert not Subsidiary.objects.exists()


def test_social_organisations_have_no_subsidiaries__ELIG_02(client, people):
    client.force_login(people["inst_user"])
    assert 'name="sub-TOTAL_FORMS"' not in client.get(URL).content.decode()
    with pytest.raises(DomainError) as err:
        institution_public_details_update(institution=people["inst"], fees=[],
                                          subsidiaries=[{"name": "x", "uscc": make_uscc()}],
                                          acting_user=people["inst_user"])
    assert err.value.rule == "ELIG-02"


def test_only_the_institution_itself_edits__JUR_03(client, people):
    with pytest.raises(PermissionDeniedError):
        institution_public_details_update(institution=people["inst"], fees=[], subsidiaries=[],
                                          acting_user=people["other_user"])
    client.force_login(people["city_hefei"])
    assert client.get(URL).status_code == 403
