"""Factories for the kernel's models. Named demo users live in conftest fixtures."""

import itertools

import factory
from stdnum.cn import uscc

from filing_portal.accounts.models import User
from institutions.models import Institution

_serial = itertools.count(1)


def make_uscc(region_code: str = "340100") -> str:
    """A valid unified social credit code (GB 32100 check character) unique per call."""
    body = f"91{region_code}MA{next(_serial):07d}"[:17]
    body = body.replace("I", "J")
    return body + uscc.calc_check_digit(body)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试评价机构{n}有限公司")
    kind = Institution.Kind.SOCIAL
    uscc = factory.LazyFunction(make_uscc)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "expert"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
