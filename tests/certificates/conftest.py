import datetime as dt

import pytest

from certificates.services import HolderData, certificates_issue, filing_number_allocate
from tests.certificates.helpers import resident_id


@pytest.fixture
def issued(users, inst_s, inst_y):
    """Two Hefei certificates of inst_s and one Wuhu certificate of inst_y."""
    hefei = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name=inst_s.name,
                                   institution_id=inst_s.pk)
    wuhu = filing_number_allocate(kind="Y", province_code="34", city_code="02", holder_name=inst_y.name,
                                  institution_id=inst_y.pk)
    a = certificates_issue(filing_number=hefei.number, institution_name=inst_s.name, issue_date=dt.date(2026, 11, 2),
                           holders=[
                               HolderData(holder_name="张三", id_type="201", id_number=resident_id(1), level=3,
                                          occupation_code="4-12-01-01", occupation_name="汽车维修工"),
                               HolderData(holder_name="李四", id_type="201", id_number=resident_id(2), level=4,
                                          occupation_code="6-18-01-01", occupation_name="焊工", work_type="电焊工"),
                           ])
    b = certificates_issue(filing_number=wuhu.number, institution_name=inst_y.name, issue_date=dt.date(2026, 10, 9),
                           holders=[HolderData(holder_name="王五", id_type="201", id_number=resident_id(3), level=3,
                                               occupation_code="6-18-01-01", occupation_name="焊工")])
    return {"zhang": a[0], "li": a[1], "wang": b[0]}
