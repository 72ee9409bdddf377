"""Demo scenario of the certificates app: inst_s's filing number and a few certificates to verify."""

import datetime as dt

from stdnum.cn import ric

from institutions.models import Institution

from .models import Certificate, FilingNumber
from .services import HolderData, certificate_void, certificates_issue, filing_number_allocate


def _resident_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


DEMO_HOLDERS = [
    ("陈晓明", "34010419900315201", 3, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("刘芳", "34012219920708302", 4, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("王建国", "34020219851102113", 3, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("赵丽", "34010319980221424", 5, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
]


def seed_demo(stdout) -> None:
    institution = Institution.objects.get(uscc="52340100MA2T8Q6X3M")  # inst_s (seed_demo's demo institution)
    number = FilingNumber.objects.filter(institution=institution).first()
    if number is None:
        number = filing_number_allocate(kind=institution.kind, province_code="34",
                                        city_code=institution.region.filing_city_code,
                                        holder_name=institution.name, institution_id=institution.pk)
    if Certificate.objects.filter(filing_number=number.number).exists():
        stdout.write(f"certificates: demo certificates of {number.number} already exist")
        return
    issued = certificates_issue(
        filing_number=number.number, institution_name=institution.name, issue_date=dt.date(2026, 10, 30),
        extra_fields={"filing_id": number.filing.pk} if hasattr(number, "filing") else None,
        holders=[HolderData(holder_name=n, id_type="201", id_number=_resident_id(body), level=level,
                            occupation_code=code, occupation_name=occ, work_type=work,
                            employer="合肥江淮汽车服务有限公司" if occ == "汽车维修工" else "")
                 for n, body, level, code, occ, work in DEMO_HOLDERS],
    )
    from filing_portal.accounts.models import User

    certificate_void(certificate=issued[-1], reason="演示：证书信息录入错误，已作废",
                     acting_user=User.objects.get(username="city_hefei"))
    stdout.write(f"certificates: filing number {number.number}; certificates "
                 + ", ".join(f"{c.number} ({c.holder_name})" for c in issued))
