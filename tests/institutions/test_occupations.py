"""The occupation catalogue (职业分类大典) and the ELIG-03 check on filed occupations."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError
from institutions.occupation_services import OCCUPATIONS_FILE, occupation_check_fileable, occupations_load
from institutions.occupations import CODE_VALIDATOR, EvaluationNorm, Occupation, WorkType
from tests.factories import UserFactory

SHIPPED = json.loads(OCCUPATIONS_FILE.read_text(encoding="utf-8"))
CODE = re.compile(r"[3-6]-[0-9]{2}-[0-9]{2}-[0-9]{2}")


@pytest.fixture
def catalogue(db):
    occupations_load()


def write(tmp_path, data, name="occupations.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def shipped_copy():
    return json.loads(json.dumps(SHIPPED))


def refusal(code: str, level: int) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as err:
        occupation_check_fileable(code=code, level=level)
    assert err.value.rule == "ELIG-03"
    return err.value


# --- the shipped catalogue -------------------------------------------------------------------


def test_shipped_catalogue_is_skill_occupations_with_well_formed_unique_codes__ELIG_03():
    codes = [entry["code"] for entry in SHIPPED["occupations"]]
    assert len(codes) >= 220
    assert len(set(codes)) == len(codes)
    assert all(CODE.fullmatch(code) for code in codes)  # major groups 3–6 only
    assert {code[0] for code in codes} == {"3", "4", "5", "6"}
    for entry in SHIPPED["occupations"]:
        assert len(entry.get("work_types", [])) == len(set(entry.get("work_types", []))), entry["code"]
    assert {norm["occupation"] for norm in SHIPPED["norms"]} <= set(codes)


def test_loading_the_catalogue_creates_every_occupation__ELIG_03(catalogue):
    assert Occupation.objects.count() == len(SHIPPED["occupations"]) >= 220
    assert set(Occupation.objects.values_list("major_group", flat=True)) == {3, 4, 5, 6}
    assert Occupation.objects.filter(is_access_licensed=True).count() >= 3
    assert Occupation.objects.filter(is_new=True).count() >= 3
    assert EvaluationNorm.objects.count() == len(SHIPPED["norms"])
    for occupation in Occupation.objects.all():
        assert CODE.fullmatch(occupation.code)
        assert occupation.major_group == int(occupation.code[0])


def test_car_mechanic_and_welder_come_with_their_work_types__ELIG_03(catalogue):
    mechanic = Occupation.objects.get(code="4-12-01-01")
    assert str(mechanic) == "4-12-01-01 汽车维修工"
    assert mechanic.has_national_standard and mechanic.fileable
    assert {"汽车机械维修工", "汽车电器维修工", "汽车车身涂装修复工", "汽车玻璃维修工"} <= set(
        mechanic.work_types.values_list("name", flat=True))
    welder = Occupation.objects.get(code="6-18-02-04")
    assert set(welder.work_types.values_list("name", flat=True)) == {"电焊工", "气焊工", "钎焊工", "焊接设备操作工"}


def test_loading_twice_changes_nothing__ELIG_03(db):
    first = occupations_load()
    assert first["occupations"]["created"] == len(SHIPPED["occupations"])
    events = AuditEvent.objects.filter(action="occupations.load").count()
    counts = (Occupation.objects.count(), WorkType.objects.count(), EvaluationNorm.objects.count())
    second = occupations_load()
    assert second == {
        "occupations": {"created": 0, "updated": 0, "unchanged": len(SHIPPED["occupations"])},
        "work_types": {"created": 0, "unchanged": first["work_types"]["created"]},
        "norms": {"created": 0, "updated": 0, "unchanged": len(SHIPPED["norms"])},
    }
    assert (Occupation.objects.count(), WorkType.objects.count(), EvaluationNorm.objects.count()) == counts
    assert AuditEvent.objects.filter(action="occupations.load").count() == events == 1


def test_a_changed_entry_is_updated_by_code__ELIG_03(catalogue, tmp_path):
    data = shipped_copy()
    entry = next(e for e in data["occupations"] if e["code"] == "4-03-02-01")
    entry["has_national_standard"] = False
    entry["work_types"] = ["热菜厨师"]
    out = call_command_output(write(tmp_path, data))
    assert "occupations: 0 created, 1 updated" in out
    cook = Occupation.objects.get(code="4-03-02-01")
    assert cook.has_national_standard is False
    assert list(cook.work_types.values_list("name", flat=True)) == ["热菜厨师"]


def call_command_output(path) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("load_occupations", str(path), stdout=out)
    return out.getvalue()


# --- bad files: CommandError naming the entry, nothing saved ---------------------------------


def _bad_code(data):
    data["occupations"][3]["code"] = "4-12-1-01"
    return "occupations[3] (4-12-1-01): code \"4-12-1-01\" is not of the form d-dd-dd-dd"


def _full_width_code(data):
    data["occupations"][3]["code"] = "４-12-01-01"
    return "occupations[3] (４-12-01-01): code"


def _duplicate_code(data):
    data["occupations"].append({"code": "4-12-01-01", "name": "汽车维修工（重复）"})
    index = len(data["occupations"]) - 1
    first = next(i for i, e in enumerate(data["occupations"]) if e["code"] == "4-12-01-01")
    return f'occupations[{index}] (4-12-01-01): code "4-12-01-01" is listed twice (also occupations[{first}])'


def _unknown_norm_occupation(data):
    data["norms"].append({"occupation": "4-99-99-01", "title": "不存在职业的评价规范", "filed_on": "2025-01-01",
                          "levels": [3]})
    return 'norms[4] (不存在职业的评价规范): unknown occupation "4-99-99-01"'


def _work_type_twice(data):
    entry = next(e for e in data["occupations"] if e["code"] == "6-18-02-04")
    entry["work_types"].append("电焊工")
    index = data["occupations"].index(entry)
    return f'occupations[{index}] (6-18-02-04): work type "电焊工" is listed twice'


def _bad_levels(data):
    data["norms"][0]["levels"] = [0, 6]
    return "norms[0] (网络主播职业技能评价规范): levels must be a non-empty list"


def _unknown_key(data):
    data["occupations"][0]["standard"] = True
    return 'occupations[0] (3-01-02-02): unknown key "standard"'


def _missing_name(data):
    del data["occupations"][5]["name"]
    return f'occupations[5] ({data["occupations"][5]["code"]}): missing required key "name"'


@pytest.mark.parametrize("breaks", [_bad_code, _full_width_code, _duplicate_code, _unknown_norm_occupation,
                                    _work_type_twice, _bad_levels, _unknown_key, _missing_name],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_bad_file_is_refused_naming_the_entry_and_saves_nothing__ELIG_03(db, tmp_path, breaks):
    data = shipped_copy()
    expected = breaks(data)
    with translation.override("en"), pytest.raises(CommandError) as err:
        call_command("load_occupations", str(write(tmp_path, data)))
    assert "nothing was saved" in str(err.value)
    assert expected in str(err.value)
    assert not (Occupation.objects.exists() or WorkType.objects.exists() or EvaluationNorm.objects.exists())
    assert not AuditEvent.objects.filter(action="occupations.load").exists()


def test_a_bad_file_leaves_a_loaded_catalogue_untouched__ELIG_03(catalogue, tmp_path):
    data = shipped_copy()
    data["occupations"][0]["name"] = "秘书（改名）"
    data["norms"].append({"occupation": "4-99-99-01", "title": "x", "filed_on": "2025-01-01", "levels": [3]})
    with pytest.raises(CommandError):  # the service's own error is a CommandError too, for seed_demo
        occupations_load(path=write(tmp_path, data))
    assert Occupation.objects.get(code="3-01-02-02").name == "秘书"
    assert Occupation.objects.count() == len(SHIPPED["occupations"])


def test_unreadable_files_are_refused__ELIG_03(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"occupations": [', encoding="utf-8")
    with translation.override("en"):
        with pytest.raises(CommandError, match="invalid JSON at line 1"):
            occupations_load(path=broken)
        with pytest.raises(CommandError, match="does not exist"):
            occupations_load(path=tmp_path / "missing.json")
        with pytest.raises(CommandError, match='an "occupations" list'):
            occupations_load(path=write(tmp_path, {"norms": []}))
    assert not Occupation.objects.exists()


# --- occupation_check_fileable ----------------------------------------------------------------


def test_an_occupation_with_a_national_standard_is_fileable__ELIG_03(catalogue):
    for level in range(1, 6):
        assert occupation_check_fileable(code="4-12-01-01", level=level).name == "汽车维修工"
    assert occupation_check_fileable(code=" 6-31-01-03 ", level=4).name == "电工"


def test_access_licensed_occupations_are_refused__ELIG_03(catalogue):
    error = refusal("4-07-05-03", 4)
    assert error.code == "access_licensed"
    assert error.message == ("4-07-05-03 消防设施操作员 is an access-type licensed occupation and cannot be filed "
                             "for skill-level evaluation.")
    assert refusal("6-18-02-04", 3).code == "access_licensed"
    assert not Occupation.objects.get(code="4-07-05-03").fileable


def test_without_a_standard_a_filed_norm_makes_it_fileable__ELIG_03(catalogue):
    assert occupation_check_fileable(code="6-31-07-04", level=1).name == "智能制造系统运维员"
    assert occupation_check_fileable(code="4-13-01-10", level=5).name == "网络主播"
    assert Occupation.objects.get(code="6-31-07-04").fileable


def test_without_a_standard_or_a_norm_it_is_refused__ELIG_03(catalogue):
    error = refusal("6-31-07-05", 3)
    assert error.code == "no_standard"
    assert error.message == ("6-31-07-05 智能网联汽车装调运维员 has neither a national skill standard nor a filed "
                             "evaluation norm.")
    assert not Occupation.objects.get(code="6-31-07-05").fileable
    # a withdrawn (inactive) norm does not count
    withdrawn = refusal("4-11-01-04", 4)
    assert withdrawn.message.endswith("has neither a national skill standard nor a filed evaluation norm.")
    assert not Occupation.objects.get(code="4-11-01-04").fileable


def test_a_level_the_norm_does_not_cover_is_refused__ELIG_03(catalogue):
    error = refusal("4-13-01-10", 2)
    assert error.code == "no_standard"
    assert error.message == ("4-13-01-10 网络主播 has no national skill standard, and its filed evaluation norms "
                             "cover levels 3, 4, 5 but not level 2.")


def test_an_unknown_code_is_refused__ELIG_03(catalogue):
    error = refusal("4-99-99-99", 3)
    assert error.code == "unknown_occupation"
    assert error.message == "Occupation 4-99-99-99 is not in the national occupational classification."
    assert str(error).startswith("ELIG-03: ")


def test_professional_and_retired_occupations_are_refused__ELIG_03(catalogue):
    Occupation.objects.create(code="2-02-07-09", name="焊接工程技术人员", has_national_standard=True)
    error = refusal("2-02-07-09", 3)
    assert error.code == "not_skill_occupation"
    assert error.message == ("2-02-07-09 焊接工程技术人员 is not a skill occupation: only occupations of major "
                             "groups 3 to 6 can be filed.")
    Occupation.objects.filter(code="4-03-02-01").update(active=False)
    error = refusal("4-03-02-01", 3)
    assert (error.code, error.message) == (
        "inactive_occupation", "4-03-02-01 中式烹调师 is no longer an active occupation of the classification.")


@pytest.mark.parametrize("level", [0, 6, True, "3"])
def test_levels_outside_1_to_5_are_refused__ELIG_03(catalogue, level):
    assert refusal("4-12-01-01", level).code == "invalid_level"


# --- model and admin ---------------------------------------------------------------------------


def test_codes_are_validated_and_the_major_group_follows_the_code__ELIG_03(db):
    occupation = Occupation.objects.create(code="5-01-02-01", name="农艺工")
    assert occupation.major_group == 5
    for bad in ("４-12-01-01", "9-01-01-01", "4-12-01", "4-12-01-01-01"):
        with pytest.raises(ValidationError):
            Occupation(code=bad, name="x").full_clean()


@given(st.integers(0, 9), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_the_code_format_accepts_exactly_groups_1_to_8__ELIG_03(group, middle, minor, unit):
    code = f"{group}-{middle:02d}-{minor:02d}-{unit:02d}"
    try:
        CODE_VALIDATOR(code)
    except ValidationError:
        assert group in (0, 9)
    else:
        assert 1 <= group <= 8


def test_admin_lists_searches_and_files_norms__ELIG_03(catalogue, client, django_assert_max_num_queries):
    client.force_login(UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("admin:institutions_occupation_changelist"), {"major_group__exact": "6"})
    assert page.status_code == 200
    assert "6-18-01-01" in page.content.decode()
    page = client.get(reverse("admin:institutions_occupation_changelist"), {"q": "汽车维修工"})
    assert "4-12-01-01" in page.content.decode()
    occupation = Occupation.objects.get(code="6-31-07-05")
    page = client.get(reverse("admin:institutions_occupation_change", args=[occupation.pk]))
    assert page.status_code == 200
    response = client.post(reverse("admin:institutions_evaluationnorm_add"), {
        "occupation": occupation.pk, "title": "智能网联汽车装调运维员职业技能评价规范", "filed_on": "2025-06-01",
        "filed_by": "芜湖江城汽车零部件有限公司", "levels": ["4", "3"], "active": "on", "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EvaluationNorm.objects.get(occupation=occupation).levels == [3, 4]
    assert occupation_check_fileable(code="6-31-07-05", level=3) == occupation
