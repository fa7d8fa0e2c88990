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


def organisation(actor: Membership, name: str, serial: int, **details):
    """An organisation registered through the service, with a valid USCC from ``serial``."""
    from procurement.services import organisation_create
    from procurement.uscc import uscc_compose

    return organisation_create(
        actor=actor,
        name=name,
        uscc=uscc_compose("52450202", f"MJ{serial:06d}"),
        kind="social_service_agency",
        **details,
    )


def contract(actor: Membership, organisation, covered, **values):
    """A signed station-operation contract through the service: ``covered`` are
    Facility objects (2 stationed workers promised each); the budget pays it all."""
    import datetime

    from procurement.services import contract_create

    amount = values.pop("amount", "600000.00")
    defaults = {
        "number": f"LZ-{organisation.pk}-{len(covered)}-{values.get('start_on', '')}",
        "title": "社工站运营服务项目",
        "purchaser": actor.scope.county_code if actor.scope else actor.tenant.code,
        "organisation": organisation.pk,
        "kind": "station_operation",
        "state": "signed",
        "signed_on": datetime.date(2023, 12, 20),
        "start_on": datetime.date(2024, 1, 1),
        "end_on": datetime.date(2026, 12, 31),
        "amount": amount,
        "funding": {"budget": amount},
        "facilities": [{"facility": f.pk, "stationed_workers": 2} for f in covered],
        "pay": {"unlicensed": "3000", "assistant": "3700", "social_worker": "4200"},
    }
    return contract_create(actor=actor, **{**defaults, **values})
