"""Loading the provinces' reference data: the shipped files, idempotency and every kind of bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from filing_portal.audit.models import AuditEvent
from filing_portal.regions.models import JurisdictionCeiling, PolicyProfile, Region
from filing_portal.regions.services import REFERENCE_DIR, ReferenceDataError, reference_data_load

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of the region tables, to prove a refused load saved nothing."""
    return (
        list(Region.objects.order_by("code").values_list("code", "name", "level", "province__code", "filing_city_code")),
        list(PolicyProfile.objects.order_by("province__code").values()),
        list(JurisdictionCeiling.objects.order_by("city__code").values_list("profile__province__code", "city__code",
                                                                              "max_level")),
    )


def shipped(name):
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- the shipped files ---------------------------------------------------------------------------


def test_shipped_files_load_four_provinces_and_55_cities(reference_data):
    assert sorted(Region.objects.filter(level="province").values_list("name", flat=True)) == sorted(
        ["安徽省", "福建省", "四川省", "吉林省"]
    )
    per_province = {p.code: p.cities.count() for p in Region.objects.filter(level="province")}
    assert per_province == {"340000": 16, "350000": 9, "510000": 21, "220000": 9}
    assert Region.objects.filter(level="city").count() == 55
    assert PolicyProfile.objects.count() == 4
    assert reference_data["cities"] == {"created": 55, "updated": 0, "unchanged": 0}


def test_anhui_city_codes_follow_the_provincial_table__NUM_08(region):
    codes = dict(Region.objects.filter(province__code="340000").values_list("name", "filing_city_code"))
    assert codes == {
        "合肥市": "01", "芜湖市": "02", "蚌埠市": "03", "淮南市": "04", "马鞍山市": "05", "淮北市": "06",
        "铜陵市": "07", "安庆市": "08", "黄山市": "10", "滁州市": "11", "阜阳市": "12", "宿州市": "13",
        "六安市": "24", "宣城市": "25", "池州市": "29", "亳州市": "30",
    }
    assert region("341500").filing_city_code == "24"  # 六安: not the GB/T 2260 digits "15"
    assert region("341800").filing_city_code == "25"  # 宣城
    assert region("340000").filing_city_code == "00"  # 省直


def test_sichuan_and_fujian_city_codes_come_from_the_prefecture_code__NUM_08(region):
    assert region("510100").filing_city_code == "01"
    assert region("513200").filing_city_code == "32"  # 阿坝
    assert region("513400").filing_city_code == "34"  # 凉山
    assert region("350900").filing_city_code == "09"  # 宁德
    assert region("222400").filing_city_code == "24"  # 延边
    sichuan = list(Region.objects.filter(province__code="510000").values_list("filing_city_code", flat=True))
    assert len(sichuan) == len(set(sichuan)) == 21


def test_profiles_carry_each_provinces_numbers__FIL_02_FIL_10_FIL_11_REN_01(reference_data):
    profiles = {p.province.code: p for p in PolicyProfile.objects.select_related("province")}
    anhui, fujian, sichuan, jilin = (profiles[c] for c in ("340000", "350000", "510000", "220000"))
    assert (anhui.acceptance_deadline_wd, anhui.pilot_months) == (10, 12)
    assert (sichuan.acceptance_deadline_wd, sichuan.required_name_suffix) == (5, "职业技能考核鉴定所（站）")
    assert (fujian.renewal_window_value, fujian.renewal_window_unit) == (90, "days")
    assert (fujian.grace_period_days, fujian.change_freeze_days) == (60, 90)
    assert (jilin.renewal_window_value, jilin.renewal_window_unit) == (3, "months")
    for profile in profiles.values():
        assert profile.institution_code == "0000"
        assert profile.default_city_ceiling_level == 3
        assert (profile.supplement_deadline_wd, profile.public_notice_wd, profile.plan_lead_wd) == (5, 5, 10)
        assert (profile.results_publicity_days, profile.results_report_wd, profile.renewal_evaluation_wd) == (7, 10, 30)
        assert "silent" in profile.source_note  # each names the numbers that are defaults
    assert "附件3" in anhui.source_note and "Art.9" in jilin.source_note


def test_chengdu_handles_up_to_technician__JUR_02(region):
    ceiling = JurisdictionCeiling.objects.get()
    assert (ceiling.city.name, ceiling.max_level) == ("成都市", 2)
    profile = PolicyProfile.objects.get(province__code="510000")
    assert profile.ceiling_for(region("510100")) == 2
    assert profile.ceiling_for(region("510700")) == 3  # 绵阳: the default


def test_loading_twice_changes_nothing(reference_data):
    before, events = snapshot(), AuditEvent.objects.count()
    summary = reference_data_load()
    assert snapshot() == before
    assert AuditEvent.objects.count() == events  # nothing changed, nothing to audit
    for counts in summary.values():
        assert counts["created"] == counts["updated"] == counts.get("deleted", 0) == 0


def test_command_prints_a_summary_and_is_idempotent():
    out = _call()
    assert "provinces: 4 created, 0 updated, 0 unchanged" in out
    assert "cities: 55 created" in out
    assert "profiles: 4 created" in out
    out = _call()
    assert "provinces: 0 created, 0 updated, 4 unchanged" in out
    assert "cities: 0 created, 0 updated, 55 unchanged" in out


def test_changed_file_updates_rows_and_is_audited(reference_data, tmp_path):
    data = shipped("sichuan")
    data["profile"]["acceptance_deadline_wd"] = 7
    data["ceilings"] = []
    data["cities"][0]["name"] = "成都市（测试）"
    summary = reference_data_load(paths=[write(tmp_path, "sichuan.json", data)])
    assert summary["profiles"]["updated"] == 1
    assert summary["cities"] == {"created": 0, "updated": 1, "unchanged": 20}
    assert summary["ceilings"]["deleted"] == 1
    assert PolicyProfile.objects.get(province__code="510000").acceptance_deadline_wd == 7
    assert not JurisdictionCeiling.objects.exists()
    assert AuditEvent.objects.filter(action="reference_data.load").count() == 2


def test_swapping_two_cities_filing_codes_works__NUM_08(reference_data, tmp_path):
    # Row-by-row updates would collide on the (province, filing code) constraint halfway through.
    data = shipped("anhui")
    by_code = {c["code"]: c for c in data["cities"]}
    by_code["341500"]["filing_city_code"], by_code["341800"]["filing_city_code"] = "25", "24"
    reference_data_load(paths=[write(tmp_path, "anhui.json", data)])
    codes = dict(Region.objects.filter(code__in=["341500", "341800"]).values_list("code", "filing_city_code"))
    assert codes == {"341500": "25", "341800": "24"}


# --- bad input: a clear CommandError naming file, entry and problem; nothing saved -----------------


def _call(*files):
    from io import StringIO

    out = StringIO()
    call_command("load_reference_data", *[str(f) for f in files], stdout=out)
    return out.getvalue()


def _unknown_ceiling_city(data):
    data["ceilings"] = [{"city": "510199", "max_level": 2}]
    return "ceilings[0] (510199)", "unknown region code"


def _city_of_another_province(data):
    data["cities"][0]["code"] = "230100"
    return "cities[0] (230100)", "does not start with the province's digits \"51\""


def _code_not_six_digits(data):
    data["cities"][1]["code"] = "51030"
    return "cities[1] (51030)", "is not six digits"


def _code_given_as_a_number(data):
    data["province"]["code"] = 510000
    return "province", "is not six digits"


def _full_width_digits(data):
    data["cities"][1]["code"] = "５１０３００"
    return "cities[1] (５１０３００)", "is not six digits"


def _duplicate_filing_city_code(data):
    data["cities"][1]["filing_city_code"] = "01"
    return "cities[1] (510300)", 'duplicate filing city code "01": cities[0] (510100) has it too'


def _missing_profile_key(data):
    del data["profile"]["acceptance_deadline_wd"]
    return "profile", 'missing required key "acceptance_deadline_wd"'


def _missing_city_key(data):
    del data["cities"][2]["filing_city_code"]
    return "cities[2] (510400)", 'missing required key "filing_city_code"'


def _missing_top_level_key(data):
    del data["cities"]
    return "top level", 'missing required key "cities"'


def _misspelt_profile_key(data):
    data["profile"]["acceptance_deadline_days"] = data["profile"].pop("acceptance_deadline_wd")
    return "profile", 'unknown key "acceptance_deadline_days"'


def _bad_window_unit(data):
    data["profile"]["renewal_window_unit"] = "weeks"
    return "profile", 'renewal_window_unit must be "days" or "months"'


def _ceiling_level_out_of_range(data):
    data["ceilings"] = [{"city": "510100", "max_level": 6}]
    return "ceilings[0] (510100)", "max_level must be a level from 1"


@pytest.mark.parametrize("break_it", [
    _unknown_ceiling_city, _city_of_another_province, _code_not_six_digits, _code_given_as_a_number,
    _full_width_digits, _duplicate_filing_city_code, _missing_profile_key, _missing_city_key,
    _missing_top_level_key, _misspelt_profile_key, _bad_window_unit, _ceiling_level_out_of_range,
])
def test_bad_file_is_refused_with_file_entry_and_problem(reference_data, tmp_path, break_it):
    # A good file with a real change rides along: it must not be saved either, because every file
    # is checked before anything is written.
    good = shipped("anhui")
    good["profile"]["acceptance_deadline_wd"] = 11
    bad = shipped("sichuan")
    entry, problem = break_it(bad)
    before = snapshot()
    good_path, bad_path = write(tmp_path, "anhui.json", good), write(tmp_path, "sichuan-broken.json", bad)
    with pytest.raises(CommandError) as excinfo:
        _call(good_path, bad_path)
    message = str(excinfo.value)
    assert f"{bad_path}: {entry}: " in message
    assert problem in message
    assert "nothing was saved" in message
    assert str(good_path) not in message
    assert snapshot() == before


def test_invalid_json_is_refused_with_its_position(reference_data, tmp_path):
    before = snapshot()
    path = write(tmp_path, "broken.json", '{"province": {"code": "340000",\n  "name": }')
    with pytest.raises(CommandError, match=r"broken\.json: file: invalid JSON at line 2 column 11"):
        _call(path)
    assert snapshot() == before


def test_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"nope\.json: file: the file does not exist"):
        _call(tmp_path / "nope.json")
    assert not Region.objects.exists()


def test_every_problem_is_reported_at_once(db, tmp_path):
    data = shipped("jilin")
    data["cities"][0]["code"] = "2201"
    data["ceilings"] = [{"city": "229900", "max_level": 2}]
    with pytest.raises(ReferenceDataError) as excinfo:
        reference_data_load(paths=[write(tmp_path, "a.json", data), write(tmp_path, "b.json", "[]")])
    problems = excinfo.value.problems
    assert len(problems) == 3
    assert "is not six digits" in problems[0]
    assert "unknown region code" in problems[1]
    assert "b.json: top level: expected a JSON object" in problems[2]
    assert not Region.objects.exists()


def test_same_province_in_two_files_is_refused(db, tmp_path):
    data = shipped("jilin")
    with pytest.raises(CommandError, match=r"jilin2\.json: province \(220000\): the province is also defined in"):
        _call(write(tmp_path, "jilin1.json", data), write(tmp_path, "jilin2.json", data))
    assert not Region.objects.exists()


def test_filing_code_held_by_an_unlisted_city_is_refused__NUM_08(reference_data, tmp_path):
    # 淮北 (340600, "06") is dropped from the file and 合肥 is renumbered onto its code.
    data = shipped("anhui")
    data["cities"] = [c for c in data["cities"] if c["code"] != "340600"]
    data["cities"][0]["filing_city_code"] = "06"
    before = snapshot()
    with pytest.raises(CommandError, match=r'cities \(340100\): filing city code "06" is already used by 淮北市'):
        _call(write(tmp_path, "anhui.json", data))
    assert snapshot() == before


def test_command_line_shows_the_message_without_a_traceback(tmp_path):
    path = write(tmp_path, "broken.json", "{not json")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "filing_portal.settings.test",
           "FILING_PORTAL_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "load_reference_data", str(path)],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    # The command speaks the portal's default language, Chinese.
    assert "broken.json: 文件: 第 1 行第 2 列 JSON 格式无效" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read message texts; they check the English msgids (the UI shows the Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
