"""Test data built through the same services the platform uses."""

from __future__ import annotations

import functools

import factory
from django.contrib.auth import get_user_model

from stations.division_import import UPPER_LEVELS, divisions_import, read_shipped
from stations.divisions import Level
from stations.models import Membership, Role, Tenant
from stations.services import membership_set, tenant_create

PASSWORD = "test-password-123"


@functools.cache
def shipped_rows() -> tuple:
    return tuple(read_shipped())


def load_divisions(*prefixes: str) -> None:
    """Load the shipped divisions under each prefix (with their ancestors)."""
    for prefix in prefixes:
        divisions_import(shipped_rows(), levels=(*UPPER_LEVELS, Level.VILLAGE), only=prefix)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


def tenant(code: str) -> Tenant:
    return Tenant.objects.filter(code=code).first() or tenant_create(code=code)


def member(
    username: str, tenant_code: str, role: str = Role.CITY_ADMIN, scope: str | None = None
) -> Membership:
    user = UserFactory(username=username)
    return membership_set(tenant=tenant(tenant_code), user=user, role=role, scope_code=scope)


def station(actor: Membership, code: str, established_on, **details):
    """An operating township station created through the service."""
    from stations.services.facilities import facility_create

    return facility_create(
        actor=actor,
        level="township_station",
        division_code=code,
        status="operating",
        established_on=established_on,
        **details,
    )
