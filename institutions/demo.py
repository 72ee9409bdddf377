"""Demo scenario of the institutions app (DESIGN.md "Demo data"): applications in every state, filed
institutions in Anhui and Sichuan (one expiring within 90 days), one notice with an open objection.

Everything goes through the services, with the business clock set to the dates the steps happened,
so due dates, the audit trail and the numbers are what a real history would have produced.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from stdnum.cn import uscc

from filing_portal.accounts.models import User
from filing_portal.core import clock
from filing_portal.regions.models import Region

from .models import (
    ApplicationOccupation,
    Assessor,
    FeeStandard,
    FilingApplication,
    Institution,
    Occupation,
    StaffMember,
    Venue,
)
from .services import applications as svc
from .services.attachments import attachment_add

D = dt.date.fromisoformat
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
              b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _code(seed: str, region: str) -> str:
    body = f"52{region}MA{seed[-7:]}"
    return body + uscc.calc_check_digit(body)


def _institution(name, kind, region_code, seed, **extra) -> Institution:
    code = _code(seed, region_code)
    institution, _ = Institution.objects.update_or_create(uscc=code, defaults={
        "name": name, "kind": kind, "region": Region.objects.get(code=region_code),
        "legal_representative": extra.pop("legal", "王立新"), "head": extra.pop("head", "李明"),
        "contact_name": "赵敏", "contact_phone": "0551-62880000", "address": extra.pop("address", name + "办公楼"),
        **extra})
    return institution


def _user_for(institution: Institution, username: str) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role, user.institution, user.region = "institution", institution, None
    user.last_name = f"{institution.name} 联系人"
    user.set_password("demo-Pass-2026")
    user.save()
    return user


def _draft(institution, user, *, code="4-12-01-01", work_type="汽车机械维修工", levels=(3, 4, 5),
           address=None, kind="initial", filing=None) -> FilingApplication:
    application = svc.application_create(institution=institution, acting_user=user, kind=kind, filing=filing)
    FilingApplication.objects.filter(pk=application.pk).update(
        implementation_plan="一、认定组织机构及职责……二、认定方式、流程、内容……", years_of_experience=6,
        total_person_times=8000)
    employer = institution.kind == Institution.Kind.EMPLOYER
    if employer:  # ELIG-04: an employer's occupations relate directly to its main business
        FilingApplication.objects.filter(pk=application.pk).update(main_business="汽车零部件制造、焊接与装配")
    ApplicationOccupation.objects.create(application=application, occupation=Occupation.objects.get(code=code),
                                         work_type=work_type, levels=list(levels), own_assessors=8,
                                         experience_years=6, person_times=3000,
                                         prior_senior_evaluation=min(levels) <= 2,
                                         business_relation="本企业生产车间的主要技能岗位" if employer else "")
    Venue.objects.create(application=application, kind="theory", address=address or f"{institution.address}3楼",
                         room_count=3, area_m2=240, tenure="owned", occupation_codes=[code], video_surveillance=True)
    Venue.objects.create(application=application, kind="practical", address=f"{address or institution.address}实训车间",
                         room_count=2, area_m2=800, tenure="leased", lease_until=D("2031-12-31"),
                         occupation_codes=[code], video_surveillance=True)
    StaffMember.objects.create(application=application, post="head", name=institution.head or "李明", gender="M",
                               age=46, education="本科", professional_title="高级工程师", phone="13905510000")
    StaffMember.objects.create(application=application, post="contact", name="赵敏", gender="F", age=33,
                               education="本科", phone="13905510001")
    for i, role in enumerate(["assessor", "assessor", "supervisor"]):
        Assessor.objects.create(application=application, role=role, name=["周强", "吴刚", "郑洁"][i],
                                gender="F" if i == 2 else "M", age=38 + i, education="大专",
                                occupation_code=code, qualified_on=D("2019-06-01"), phone=f"1380551000{i}")
    if institution.kind == "Y":
        attachment_add(application=application, kind="incentive", acting_user=user,
                       upload=ContentFile(MINIMAL_PDF, name="技能等级与薪酬挂钩激励办法.pdf"))
    attachment_add(application=application, kind="plan", acting_user=user,
                   upload=ContentFile(MINIMAL_PDF, name="认定工作实施方案.pdf"))
    svc.application_sign_pledges(application=application, acting_user=user, signed_by=institution.legal_representative)
    return FilingApplication.objects.get(pk=application.pk)


def _walk(application, user, staff, expert, *, until: str, start: dt.date):
    """Take the application through the workflow up to state `until`, one working step a day."""
    order = ["submitted", "initial_review", "technical_evaluation", "comprehensive_review", "public_notice",
             "approved"]
    day = start
    with clock.as_of(day):
        svc.application_submit(application=application, acting_user=user)
    for state in order[1:order.index(until) + 1] if until in order else []:
        day += dt.timedelta(days=1)
        application = FilingApplication.objects.get(pk=application.pk)
        with clock.as_of(day):
            if state == "initial_review":
                svc.application_accept(application=application, acting_user=staff)
            elif state == "technical_evaluation":
                svc.application_record_opinion(application=application, stage="initial_review", passed=True,
                                               opinion="材料齐全，基本条件符合备案要求。", expert_names="张华、陈静、刘洋",
                                               acting_user=expert)
                svc.application_pass_initial_review(application=application, acting_user=staff)
            elif state == "comprehensive_review":
                svc.application_record_evaluation(application=application, opinion="场地、设备、人员满足现场评估要求。",
                                                  expert_names="现场评估组：张华、陈静", acting_user=staff)
            elif state == "public_notice":
                svc.application_start_public_notice(application=application, acting_user=staff)
            elif state == "approved":
                application_notice_end = FilingApplication.objects.get(pk=application.pk).notice_ends_on
                with clock.as_of(application_notice_end + dt.timedelta(days=1)):
                    svc.application_complete_notice(application=FilingApplication.objects.get(pk=application.pk),
                                                    acting_user=staff)
    return FilingApplication.objects.get(pk=application.pk)


def seed_demo(stdout) -> None:
    if FilingApplication.objects.exists():
        stdout.write("institutions: demo applications exist already")
        return
    city_hefei = User.objects.get(username="city_hefei")
    province_ah = User.objects.get(username="province_ah")
    expert = User.objects.get(username="expert1")
    city_chengdu = User.objects.filter(username="city_chengdu").first() or User(username="city_chengdu")
    city_chengdu.role, city_chengdu.region = "city_staff", Region.objects.get(code="510100")
    city_chengdu.last_name = "成都市职业技能鉴定指导中心 经办人"
    city_chengdu.set_password("demo-Pass-2026")
    city_chengdu.save()

    inst_s_user = User.objects.get(username="inst_s")
    inst_y_user = User.objects.get(username="inst_y")
    inst_s, inst_y = inst_s_user.institution, inst_y_user.institution
    for inst, legal, head in ((inst_s, "王立新", "李明"), (inst_y, "孙建华", "钱伟")):
        inst.legal_representative, inst.head = legal, head
        inst.save()
    FeeStandard.objects.get_or_create(institution=inst_s, item="汽车维修工 技能等级认定", level=3,
                                      defaults={"amount_yuan": 260, "basis": "皖价费〔2018〕12号"})
    FeeStandard.objects.get_or_create(institution=inst_s, item="汽车维修工 技能等级认定", level=4,
                                      defaults={"amount_yuan": 220, "basis": "皖价费〔2018〕12号"})

    # An older filing (S000034010001) expiring within 90 days of today: the renewal window.
    old = _institution("合肥工匠职业培训学校", "S", "340100", "1N7Q2K8R3", sub_type="college")
    _walk(_draft(old, _user_for(old, "inst_old")), _user_for(old, "inst_old"), city_hefei, expert, until="approved",
          start=D("2023-12-12"))
    # inst_s (Hefei, S): filed in March 2026 (S000034010002) — receipt, certificates issued under it.
    _walk(_draft(inst_s, inst_s_user), inst_s_user, city_hefei, expert, until="approved", start=D("2026-02-12"))
    # inst_y (Wuhu, Y): in public notice now, with an open objection (blocks completion).
    today = clock.today()
    wuhu_staff = User.objects.filter(username="city_wuhu").first() or User(username="city_wuhu")
    wuhu_staff.role, wuhu_staff.region = "city_staff", Region.objects.get(code="340200")
    wuhu_staff.last_name = "芜湖市职业技能鉴定指导中心 经办人"
    wuhu_staff.set_password("demo-Pass-2026")
    wuhu_staff.save()
    noticed = _walk(_draft(inst_y, inst_y_user, code="6-18-01-01", work_type=""), inst_y_user, wuhu_staff,
                    expert, until="comprehensive_review", start=today - dt.timedelta(days=14))
    with clock.as_of(today):
        svc.application_start_public_notice(application=noticed, acting_user=wuhu_staff)
        svc.objection_raise(application=FilingApplication.objects.get(pk=noticed.pk), contact="139****0000",
                            content="该单位焊接实训车间系临时租用场地，不符合备案条件。", name="群众")
    # One application in every other state (Hefei).
    states = [("draft", "1N7Q2K8R4"), ("submitted", "1N7Q2K8R5"), ("initial_review", "1N7Q2K8R6"),
              ("technical_evaluation", "1N7Q2K8R7"), ("comprehensive_review", "1N7Q2K8R8")]
    names = {"draft": "合肥安泰安全技术培训中心", "submitted": "合肥巧手家政服务职业培训学校",
             "initial_review": "合肥徽厨烹饪职业技能培训中心", "technical_evaluation": "合肥智造电工技能评价中心",
             "comprehensive_review": "合肥康宁养老护理培训中心"}
    for state, seed in states:
        inst = _institution(names[state], "S", "340100", seed)
        user = _user_for(inst, f"inst_{state}")
        application = _draft(inst, user)
        if state != "draft":
            _walk(application, user, city_hefei, expert, until=state, start=today - dt.timedelta(days=6))
    supplement = _institution("合肥明德职业技能评价中心", "S", "340100", "1N7Q2K8R9")
    application = _draft(supplement, _user_for(supplement, "inst_supplement"))
    _walk(application, _user_for(supplement, "inst_supplement"), city_hefei, expert, until="submitted",
          start=today - dt.timedelta(days=2))
    with clock.as_of(today - dt.timedelta(days=1)):
        svc.application_request_supplement(application=FilingApplication.objects.get(pk=application.pk),
                                           items=["实训场地租赁合同（含租期）", "考评员职业技能等级证书复印件"],
                                           acting_user=city_hefei)
    terminated = _institution("合肥速成技能培训有限公司", "S", "340100", "1N7Q2K8RA")
    application = _draft(terminated, _user_for(terminated, "inst_terminated"))
    _walk(application, _user_for(terminated, "inst_terminated"), city_hefei, expert, until="submitted",
          start=D("2026-09-01"))
    with clock.as_of(D("2026-09-02")):
        svc.application_request_supplement(application=FilingApplication.objects.get(pk=application.pk),
                                           items=["法人登记证书副本"], acting_user=city_hefei)
    svc.applications_expire_supplements(D("2026-11-01"))
    rejected = _institution("合肥捷径职业培训中心", "S", "340100", "1N7Q2K8RB")
    application = _walk(_draft(rejected, _user_for(rejected, "inst_rejected")), _user_for(rejected, "inst_rejected"),
                        city_hefei, expert, until="initial_review", start=D("2026-10-12"))
    with clock.as_of(D("2026-10-16")):
        svc.application_reject(application=application, acting_user=city_hefei,
                               reason="初审专家组意见：考评员数量不足，实训设备与职业标准要求不符。")
    withdrawn = _institution("合肥云帆电商培训中心", "S", "340100", "1N7Q2K8RC")
    svc.application_withdraw(application=_draft(withdrawn, _user_for(withdrawn, "inst_withdrawn")),
                             acting_user=_user_for(withdrawn, "inst_withdrawn"))
    # Sichuan: two filed institutions in Chengdu, one up to technician (JUR-02: Chengdu handles level 2).
    for seed, name, levels in (("1N7Q2K8RD", "成都天府职业技能考核鉴定所", (2, 3, 4)),
                               ("1N7Q2K8RE", "成都蓉城汽车职业技能考核鉴定站", (3, 4, 5))):
        inst = _institution(name, "S", "510100", seed)
        user = _user_for(inst, f"inst_cd_{seed[-1].lower()}")
        _walk(_draft(inst, user, levels=levels), user, city_chengdu, expert, until="approved", start=D("2026-04-07"))
    # A province-handled application (technician level in Hefei → the province, JUR-01).
    tech = _institution("安徽省高级技工评价中心", "S", "340100", "1N7Q2K8RF")
    user = _user_for(tech, "inst_province")
    _walk(_draft(tech, user, levels=(2, 3)), user, province_ah, expert, until="initial_review",
          start=today - dt.timedelta(days=3))
    stdout.write(f"institutions: {FilingApplication.objects.count()} applications in "
                 f"{FilingApplication.objects.values('state').distinct().count()} states; "
                 f"{Institution.objects.count()} institutions")


def seed_certificates_demo(stdout) -> None:
    """inst_s's demo certificates: the institutions layer knows the institution and its filing, and
    calls down into the certificates demo with plain arguments (certificates imports no app above it)."""
    from certificates.demo import demo_certificates_issue
    from certificates.services import filing_number_allocate

    from .models import Filing

    institution = Institution.objects.get(uscc="52340100MA2T8Q6X3M")  # inst_s (seed_demo's demo institution)
    filing = Filing.objects.filter(institution=institution).select_related("filing_number").first()
    if filing is not None:
        number, extra = filing.number, {"filing_id": filing.pk}
    else:  # the institutions scenario did not file inst_s (it existed already): a bare number will do
        from certificates.models import FilingNumber

        record = FilingNumber.objects.filter(institution=institution).first() or filing_number_allocate(
            kind=institution.kind, province_code=institution.region.province_code,
            city_code=institution.region.filing_city_code, holder_name=institution.name,
            institution_id=institution.pk)
        number, extra = record.number, None
    demo_certificates_issue(stdout=stdout, filing_number=number, institution_name=institution.name,
                            voided_by=User.objects.get(username="city_hefei"), extra_fields=extra)
