"""Demo scenario of the certificates app: a few certificates to verify under a demo filing number.

Like every service here it takes what it needs as arguments (DESIGN.md "Layout": certificates imports
no app above it); the institutions demo, which knows the demo institution, calls it.
"""

import datetime as dt

from stdnum.cn import ric

from .models import Certificate
from .services import HolderData, certificate_void, certificates_issue


def _resident_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


DEMO_HOLDERS = [
    ("陈晓明", "34010419900315201", 3, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("刘芳", "34012219920708302", 4, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("王建国", "34020219851102113", 3, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
    ("赵丽", "34010319980221424", 5, "4-12-01-01", "汽车维修工", "汽车机械维修工"),
]


def demo_certificates_issue(*, stdout, filing_number: str, institution_name: str, voided_by,
                             extra_fields: dict | None = None) -> list[Certificate]:
    """Issue the demo holders' certificates under `filing_number` once (idempotent) and void the last one.

    `voided_by` is the staff user who voids it; `extra_fields` the links the caller owns (the filing).
    """
    if Certificate.objects.filter(filing_number=filing_number).exists():
        stdout.write(f"certificates: demo certificates of {filing_number} already exist")
        return []
    issued = certificates_issue(
        filing_number=filing_number, institution_name=institution_name, issue_date=dt.date(2026, 10, 30),
        extra_fields=extra_fields,
        holders=[HolderData(holder_name=n, id_type="201", id_number=_resident_id(body), level=level,
                            occupation_code=code, occupation_name=occ, work_type=work,
                            employer="合肥江淮汽车服务有限公司" if occ == "汽车维修工" else "")
                 for n, body, level, code, occ, work in DEMO_HOLDERS],
    )
    certificate_void(certificate=issued[-1], reason="演示：证书信息录入错误，已作废", acting_user=voided_by)
    stdout.write(f"certificates: filing number {filing_number}; certificates "
                 + ", ".join(f"{c.number} ({c.holder_name})" for c in issued))
    return issued
