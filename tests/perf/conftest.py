"""The world of the query-count tests: the authorization matrix's world (seed_demo plus inst_s's objects) and a
second row of each list the demo shows only once, seeded once per module inside an outer transaction that is
rolled back at the end; each test runs in its own savepoint (pytest-django's per-test transaction), so the
rows a test adds are gone before the next one."""

from __future__ import annotations

import copy
import uuid

import pytest
from django.db import models
from django.test import TestCase

from tests.authz.world import build_world


def clone(obj: models.Model, serial: int) -> models.Model:
    """A copy of `obj` saved as a new row. Unique text fields get a prefix, a unique foreign key (one-to-one)
    (or one a single-field constraint makes unique)
    points at a related row no other row uses yet, many-to-many links are copied."""
    model = type(obj)
    twin = copy.copy(obj)
    twin._state = copy.copy(obj._state)
    twin._state.adding = True
    twin.pk = None
    twin.__dict__.pop("_prefetched_objects_cache", None)
    alone = {c.fields[0] for c in model._meta.constraints
             if isinstance(c, models.UniqueConstraint) and len(c.fields) == 1}
    for f in model._meta.concrete_fields:
        if not (f.unique or f.name in alone) or f.primary_key or getattr(obj, f.attname) is None:
            continue
        if isinstance(f, models.ForeignKey):
            free = f.related_model._default_manager.exclude(pk__in=model._default_manager.values(f.attname))
            setattr(twin, f.attname, free.values_list("pk", flat=True).first())
        elif isinstance(f, models.UUIDField):
            setattr(twin, f.attname, uuid.uuid4())
        elif isinstance(f, models.CharField):
            setattr(twin, f.attname, f"P{serial}{getattr(obj, f.attname)}"[:f.max_length])
    twin.save(force_insert=True)
    for m2m in model._meta.many_to_many:
        getattr(twin, m2m.name).set(getattr(obj, m2m.name).all())
    return twin


def add_second_rows() -> None:
    """The demo has one draw, one application in public notice, one submitted renewal and one notification of
    inst_s: copy each."""
    from filing_portal.notifications.models import Notification
    from institutions.models import FilingApplication
    from renewals.models import RenewalApplication
    from supervision.models import Draw

    clone(Draw.objects.order_by("pk").first(), 0)
    notice = FilingApplication.objects.filter(state="public_notice").order_by("pk").first()
    twin = clone(notice, 0)
    for occupation in notice.occupations.all():
        clone_child = copy.copy(occupation)
        clone_child.pk, clone_child.application_id = None, twin.pk
        clone_child._state = copy.copy(occupation._state)
        clone_child._state.adding = True
        clone_child.save(force_insert=True)
    clone(RenewalApplication.objects.get(reference="XQ-AUTHZ-0001"), 0)
    notification = Notification.objects.filter(user__username="inst_s").order_by("pk").first()
    Notification.objects.create(user=notification.user, key="perf", title="perf", body="perf")


@pytest.fixture(scope="module")
def perf_world(django_db_setup, django_db_blocker):
    """Seed the world once per module. The outer block is entered the way `TestCase.setUpClass` does, so the
    services' `atomic(durable=True)` blocks may run inside it (as in tests/fuzz/conftest.py)."""
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            world = build_world()
            add_second_rows()
            yield world
        finally:
            TestCase._rollback_atomics(atomics)
