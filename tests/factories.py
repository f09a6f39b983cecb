"""factory_boy factories for the domain. Personas (one user per role) are in conftest.py."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from cpcases.accounts.models import Authority, Service, Team, User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import (
    Allocation,
    Child,
    ChildPerson,
    Household,
    PartnerInvolvement,
    Person,
    Relationship,
    RestrictedAccess,
)

PASSWORD = "correct-horse-battery-staple"


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Authority {n}")
    slug = factory.Sequence(lambda n: f"authority-{n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@authority.example")
    role = Role.SOCIAL_WORKER
    authority = factory.LazyAttribute(
        lambda u: u.team.service.authority if u.team else AuthorityFactory())
    team = None
    agency = Agency.CHILDRENS_SOCIAL_CARE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Household {n}")
    address = "1 High Street, Anytown"
    postcode = "AN1 1AA"


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    authority = factory.SubFactory(AuthorityFactory)
    la_child_id = factory.Sequence(lambda n: f"C{100000 + n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = dt.date(2018, 5, 17)
    address = "1 High Street, Anytown"
    postcode = "AN1 1AA"


class UnbornChildFactory(ChildFactory):
    first_name = ""
    is_unborn = True
    date_of_birth = None
    expected_delivery_date = dt.date(2027, 3, 1)


class AllocationFactory(DjangoModelFactory):
    class Meta:
        model = Allocation

    child = factory.SubFactory(ChildFactory)
    team = factory.SubFactory(TeamFactory)
    social_worker = None
    started_on = dt.date(2026, 1, 5)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    authority = factory.SubFactory(AuthorityFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    phone = "07700 900123"


class ChildPersonFactory(DjangoModelFactory):
    class Meta:
        model = ChildPerson

    child = factory.SubFactory(ChildFactory)
    person = factory.SubFactory(PersonFactory)
    relationship = Relationship.MOTHER
    has_parental_responsibility = True


class PartnerInvolvementFactory(DjangoModelFactory):
    class Meta:
        model = PartnerInvolvement

    kind = "strategy"


class RestrictedAccessFactory(DjangoModelFactory):
    class Meta:
        model = RestrictedAccess
