"""PreparedLookup (filing_portal/core/prepared.py): the public verification's read, compiled once per
connection, gives what the ORM gives — the same instance, decrypted ID included — in one query (CERT-05)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from filing_portal.core.prepared import PreparedLookup
from tests.certificates.helpers import resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def _fields(cert: Certificate) -> dict:
    return {f.attname: getattr(cert, f.attname) for f in Certificate._meta.concrete_fields}


def test_the_instance_is_the_orms_field_by_field__CERT_05(issued):
    lookup = PreparedLookup(Certificate, "number")
    for cert in issued.values():
        found = lookup.get(cert.number)
        orm = Certificate.objects.get(number=cert.number)
        assert _fields(found) == _fields(orm)
        assert found.id_number == orm.id_number and found.id_number.startswith(resident_id(1)[:6])
        assert found._state.adding is False and found._state.db == "default"
        found.save(update_fields=["holder_name"])  # a loaded instance: save() updates, it does not insert
    assert lookup.get("S000034010001269999999") is None
    assert lookup.get("") is None


def test_one_query_each_time_and_compiled_once_per_connection__CERT_05(issued):
    lookup = PreparedLookup(Certificate, "number")
    numbers = [c.number for c in issued.values()]
    lookup.get(numbers[0])
    with CaptureQueriesContext(connection) as queries:
        found = [lookup.get(n).number for n in numbers]
    assert found == numbers and len(queries) == len(numbers)
    assert all(q["sql"].split(" WHERE ")[0] == queries[0]["sql"].split(" WHERE ")[0] for q in queries)
    assert len(lookup._compiled) == 1
    seen = []

    def in_a_thread():
        try:
            seen.append(lookup.get(numbers[1]).number)
        finally:
            connection.close()  # the thread's own connection: left open, it blocks dropping the test database

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [numbers[1]]  # another thread: its own connection, its own compiled query

