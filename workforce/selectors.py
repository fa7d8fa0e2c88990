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


def _last_due_expiry(day):
    """The latest expiry whose re-registration window (three months before it) has opened
    by ``day``: a registration expiring on or before it, and not before ``day``, is 待再登记."""
    import datetime

    from stations.calendar import add_months
    from workforce.credentials import window_opens

    expiry = add_months(day, 3)
    while window_opens(expiry + datetime.timedelta(days=1)) <= day:
        expiry += datetime.timedelta(days=1)
    while window_opens(expiry) > day:
        expiry -= datetime.timedelta(days=1)
    return expiry


def with_credential_state(workers: QuerySet[SocialWorker], day) -> QuerySet[SocialWorker]:
    """``workers`` annotated, in SQL, with ``top_level`` (the worker's level on ``day`` as
    ``credentials.level_on`` gives it: the highest certificate valid or due for
    re-registration; None without one) and ``credential_state`` (the CredentialStatus on
    ``day`` of the highest certificate obtained by then, as ``credentials.status_on`` gives
    it; None without one)."""
    from django.db.models import Case, CharField, IntegerField, Subquery, Value, When

    from workforce.models import LEVEL_RANK, Credential, CredentialStatus, Registration

    rank = Case(
        *(When(level=level, then=Value(value)) for level, value in LEVEL_RANK.items()),
        output_field=IntegerField(),
    )
    top = (
        Credential.objects.filter(worker=OuterRef("pk"), passed_on__lte=day)
        .annotate(rank=rank)
        .order_by("-rank", "-passed_on", "-pk")
    )
    latest = (
        Registration.objects.filter(credential=OuterRef("top_credential"), registered_on__lte=day)
        .order_by("-registered_on", "-pk")
        .values("valid_until")[:1]
    )
    standing = (
        Registration.objects.filter(credential=OuterRef("pk"), registered_on__lte=day)
        .order_by("-registered_on", "-pk")
        .values("valid_until")[:1]
    )
    valid = top.annotate(standing=Subquery(standing)).filter(standing__gte=day)
    return (
        workers.annotate(
            top_credential=Subquery(top.values("pk")[:1]),
            top_level=Subquery(valid.values("level")[:1]),
        )
        .annotate(latest_until=Subquery(latest))
        .annotate(
            credential_state=Case(
                When(top_credential__isnull=True, then=Value(None)),
                When(latest_until__isnull=True, then=Value(CredentialStatus.UNREGISTERED.value)),
                When(latest_until__lt=day, then=Value(CredentialStatus.EXPIRED.value)),
                When(
                    latest_until__lte=_last_due_expiry(day),
                    then=Value(CredentialStatus.DUE.value),
                ),
                default=Value(CredentialStatus.VALID.value),
                output_field=CharField(),
            )
        )
    )
