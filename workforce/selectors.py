"""Reads of the workforce app, always through the actor's scope.

City roles see the tenant's social workers; a county officer the workers its county
registered, those employed by an organisation holding a contract of its county, and
those ever stationed in it; a contractor its own
organisation's workers. Everyone else sees none.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from procurement.models import Contract, ContractFacility, ContractState
from stations.scoping import ORGANISATIONS, scope_of
from stations.selectors import Actor
from workforce import permissions
from workforce.models import Assignment, IdNumberReveal, SocialWorker


def social_workers_visible(actor: Actor) -> QuerySet[SocialWorker]:
    """Social workers in scope, with their employer joined."""
    scope = scope_of(actor)
    workers = SocialWorker.objects.filter(tenant_id=scope.tenant_id).select_related("employer")
    if permissions.keeps_own_organisation_only(scope.role):
        return workers.filter(employer_id__in=scope.ids(ORGANISATIONS) or ())
    if not scope.network:
        return workers.none()
    if scope.county_code:
        county = scope.county_code
        covers = ContractFacility.objects.filter(
            contract=OuterRef("pk"), facility__county_code=county
        )
        county_contract = Contract.objects.filter(
            Q(county_code=county) | Exists(covers),
            tenant_id=scope.tenant_id,
            organisation_id=OuterRef("employer_id"),
        ).exclude(state=ContractState.DRAFT)
        stationed = Assignment.objects.filter(worker=OuterRef("pk"), county_code=county)
        workers = workers.filter(
            Q(registered_county=county) | Exists(county_contract) | Exists(stationed)
        )
    return workers


def id_number_reveals(actor: Actor, worker: SocialWorker) -> QuerySet[IdNumberReveal]:
    """The log of full ID numbers shown for ``worker`` (the caller has it in scope)."""
    scope = scope_of(actor)
    return IdNumberReveal.objects.filter(tenant_id=scope.tenant_id, worker=worker).select_related(
        "user"
    )


def credentials_visible(actor: Actor):
    """Credentials of the workers in scope, with their registrations prefetched."""
    from workforce.models import Credential

    scope = scope_of(actor)
    return (
        Credential.objects.filter(
            tenant_id=scope.tenant_id, worker__in=social_workers_visible(scope).values("pk")
        )
        .select_related("worker")
        .prefetch_related("registrations")
    )


def assignments_visible(actor: Actor):
    """Assignments of the workers in scope; a county officer sees only its county's posts."""
    scope = scope_of(actor)
    rows = Assignment.objects.filter(
        tenant_id=scope.tenant_id, worker__in=social_workers_visible(scope).values("pk")
    ).select_related("worker", "facility", "contract")
    if scope.county_code:
        rows = rows.filter(county_code=scope.county_code)
    if permissions.keeps_own_organisation_only(scope.role):
        # A contractor sees its own posts, not those under other operators' contracts.
        own = scope.ids(ORGANISATIONS) or ()
        rows = rows.filter(Q(contract__isnull=True) | Q(contract__organisation_id__in=own))
    return rows


def trainings_visible(actor: Actor):
    """Training records of the workers in scope."""
    from workforce.models import Training

    scope = scope_of(actor)
    return Training.objects.filter(
        tenant_id=scope.tenant_id, worker__in=social_workers_visible(scope).values("pk")
    ).select_related("worker")


def population_visible(actor: Actor):
    """Population figures of the scope's tenant: the city's and every county's for city
    roles, the city's and its own county's for a county officer; none for other roles."""
    from workforce.models import Population

    scope = scope_of(actor)
    if not scope.network:
        return Population.objects.none()
    rows = Population.objects.filter(tenant_id=scope.tenant_id).select_related("division")
    if scope.county_code:
        rows = rows.filter(
            division_id__in=[scope.county_code.ljust(12, "0"), scope.tenant_code.ljust(12, "0")]
        )
    return rows


def is_of_county(worker: SocialWorker, county_code: str, day) -> bool:
    """Whether ``worker`` is the county's: registered by it, or stationed there on ``day``."""
    if worker.registered_county == county_code:
        return True
    return (
        Assignment.objects.filter(worker=worker, county_code=county_code, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .exists()
    )
