"""A small world for the fuzz tests: one Hefei institution with a filing, batches, certificates, a renewal,
a case, a complaint, a draw and its inspections, and applications in several states.

Built with the helpers of the apps' own API tests (renewals, supervision, institutions), once per module;
`ids(kind)` lists the primary keys (or references) that generated path parameters are swapped for, so
detail operations hit real objects as well as missing ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client
from rest_framework.authtoken.models import Token

from filing_portal.regions.models import Region
from filing_portal.regions.services import reference_data_load
from institutions.occupations import Occupation
from tests.factories import InstitutionFactory, UserFactory, make_uscc

D = dt.date.fromisoformat

OCCUPATIONS = [  # as tests/institutions/conftest.py `occupations`
    ("4-12-01-01", "汽车维修工", True, False),
    ("6-18-01-01", "车工", True, False),
    ("4-10-01-03", "保育师", True, False),
    ("4-07-05-03", "消防设施操作员", True, True),
]


@dataclass
class World:
    """What the fuzz callers authenticate with and which objects exist."""

    token: str  # inst_s: `Authorization: Token <token>`
    staff_session: str  # city_hefei: the `sessionid` cookie
    objects: dict[str, list] = field(default_factory=dict)

    def ids(self, kind: str) -> list:
        return self.objects.get(kind, [])


CURRENT: World | None = None  # set by the `fuzz_world` fixture while its module runs


def _people():
    regions = {r.code: r for r in Region.objects.all()}
    hefei, wuhu, anhui = regions["340100"], regions["340200"], regions["340000"]
    inst = InstitutionFactory(name="合肥新华职业技能评价中心", kind="S", sub_type="enterprise", region=hefei,
                              uscc=make_uscc("340100"), legal_representative="王法人", head="李所长",
                              address="合肥市蜀山区长江西路100号")
    other = InstitutionFactory(name="合肥另一家评价机构", kind="S", region=hefei, uscc=make_uscc("340100"))
    employer = InstitutionFactory(name="芜湖江城汽车零部件有限公司", kind="Y", region=wuhu, uscc=make_uscc("340200"))
    return {
        "inst": inst, "other": other, "employer": employer, "hefei": hefei,
        "inst_user": UserFactory(username="inst_s", role="institution", institution=inst),
        "other_user": UserFactory(username="inst_o", role="institution", institution=other),
        "employer_user": UserFactory(username="inst_y", role="institution", institution=employer),
        "city_hefei": UserFactory(username="city_hefei", role="city_staff", region=hefei),
        "province_ah": UserFactory(username="province_ah", role="province_staff", region=anhui),
        "expert1": UserFactory(username="expert1", role="expert"),
    }


def seed_world() -> World:
    from supervision.complaints import complaint_submit
    from supervision.draws import draw_commit, draw_create, draw_run
    from tests.institutions.conftest import make_draft, on
    from tests.institutions.test_workflow import walk_to_notice
    from tests.renewals.fixtures_app import make_batch, make_filing, submitted
    from tests.supervision.conftest_draws import make_inspector
    from tests.supervision.fixtures import investigating_case

    reference_data_load()
    occupations = {code: Occupation.objects.create(code=code, name=name, major_group=int(code[0]),
                                                   has_national_standard=std, is_access_licensed=access)
                   for code, name, std, access in OCCUPATIONS}
    people = _people()
    inst, staff = people["inst"], people["city_hefei"]

    filing = make_filing(inst, occupations)  # 2023-06-01 .. 2026-05-31, renewable from 2026-03-02
    issued = make_batch(filing, occupations, exam="2025-09-15", candidates=2, passed=1)
    reported = make_batch(filing, occupations, exam="2025-11-15", state="results_reported", candidates=1)
    draft_batch = make_batch(filing, occupations, exam="2026-06-20", state="draft", candidates=1)
    renewal = submitted(filing, people["inst_user"], shortfall_explanation="疫情")
    case = investigating_case(filing, staff)
    with on("2026-03-16"):
        complaint = complaint_submit(facts="考场内有人替考", institution=inst, contact_name="钱投诉",
                                     contact_phone="13922223333", contact_email="qian@example.cn")

    draft_app = make_draft(inst, occupations)
    noticed = walk_to_notice(make_draft(people["other"], occupations),
                             {**people, "inst_user": people["other_user"]})

    other_filing = make_filing(people["other"], occupations)
    inspectors = [make_inspector(f"HF{i:02d}", people["hefei"]) for i in range(1, 4)]
    with on("2026-03-02"):
        draft_draw = draw_create(title="抽查草稿", sample_size=1, inspectors=inspectors, acting_user=staff)
        drawn = draw_create(title="2026年第一季度双随机抽查", sample_size=1, team_size=2, inspectors=inspectors,
                            acting_user=staff)
        drawn = draw_commit(draw=drawn, acting_user=staff)
    with on("2026-03-09"):
        drawn = draw_run(draw=drawn, acting_user=staff)

    from certificates.models import Certificate
    from institutions.models import FilingApplication
    from supervision.models import Inspection

    token = Token.objects.create(user=people["inst_user"]).key
    browser = Client()
    browser.force_login(staff)
    objects = {
        "batches": [issued.pk, reported.pk, draft_batch.pk],
        "certificates": list(Certificate.objects.values_list("pk", flat=True)),
        "filings": [filing.pk, other_filing.pk],
        "institutions": [inst.pk, people["other"].pk],
        "filing-applications": [draft_app.pk, noticed.pk,
                                *FilingApplication.objects.filter(institution=inst).values_list("pk", flat=True)],
        "renewals": [renewal.pk],
        "cases": [case.pk],
        "complaints": [complaint.pk],
        "draws": [draft_draw.pk, drawn.pk],
        "inspections": list(Inspection.objects.values_list("pk", flat=True)),
        "notices": [noticed.pk],
        "draw-references": [drawn.reference, draft_draw.reference],
        "filing-numbers": [filing.number, other_filing.number],
    }
    return World(token=token, staff_session=browser.cookies["sessionid"].value, objects=objects)
