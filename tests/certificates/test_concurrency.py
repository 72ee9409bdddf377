"""Parallel issuance on PostgreSQL: distinct, contiguous serials (NUM-07)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.services import HolderData, certificates_issue, filing_number_allocate
from tests.certificates.helpers import resident_id

ISSUERS = 8
PER_ISSUER = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_issuers_get_distinct_contiguous_serials__NUM_07():
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    barrier = threading.Barrier(ISSUERS)
    errors: list[BaseException] = []
    results: dict[int, list[int]] = {}

    def issue(worker: int) -> None:
        try:
            holders = [HolderData(holder_name=f"并发{worker}-{i}", id_type="201",
                                  id_number=resident_id(worker * PER_ISSUER + i), level=3,
                                  occupation_code="4-12-01-01", occupation_name="汽车维修工")
                       for i in range(PER_ISSUER)]
            barrier.wait()
            issued = certificates_issue(filing_number=filing, institution_name="并发测试",
                                        issue_date=dt.date(2026, 11, 22), holders=holders)
            results[worker] = [c.serial for c in issued]
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=issue, args=(w,)) for w in range(ISSUERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    serials = sorted(s for batch in results.values() for s in batch)
    assert serials == list(range(1, ISSUERS * PER_ISSUER + 1))  # no duplicate, no gap
    for batch in results.values():  # each batch's serials are consecutive
        assert batch == list(range(batch[0], batch[0] + PER_ISSUER))
    assert Certificate.objects.count() == ISSUERS * PER_ISSUER
