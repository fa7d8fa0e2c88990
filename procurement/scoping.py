"""What procurement contributes to every scope (registered in ``ProcurementConfig.ready``).

A contractor sees its organisation, its organisation's signed contracts and the
facilities those contracts cover while they are live (today); an evaluator sees
its organisation, the contracts assigned to it for evaluation and their
facilities. Other roles are not restricted by these providers (None).
"""

from __future__ import annotations

from django.utils import timezone

from procurement import permissions
from stations.models import Membership
from stations.scoping import CONTRACTS, FACILITIES, ORGANISATIONS, register_scope_provider


def organisation_id_of(membership: Membership) -> int | None:
    """The organisation a contractor or evaluator membership acts for (kept on it), or None."""
    if not hasattr(membership, "_organisation_id"):
        from procurement.models import OrganisationMember

        membership._organisation_id = (  # type: ignore[attr-defined]
            OrganisationMember.objects.filter(membership_id=membership.pk)
            .values_list("organisation_id", flat=True)
            .first()
        )
    return membership._organisation_id  # type: ignore[attr-defined]


def own_organisation(membership: Membership) -> frozenset[int] | None:
    if not permissions.acts_for_organisation(membership.role):
        return None
    organisation = organisation_id_of(membership)
    return frozenset() if organisation is None else frozenset({organisation})


def _contract_ids(membership: Membership):
    """A queryset of the contract ids the contractor or evaluator works on."""
    from procurement.models import Contract, ContractState, Evaluation

    organisation = organisation_id_of(membership)
    if organisation is None:
        return Contract.objects.none().values("pk")
    if permissions.runs_contracts(membership.role):
        return (
            Contract.objects.filter(tenant_id=membership.tenant_id, organisation_id=organisation)
            .exclude(state=ContractState.DRAFT)
            .values("pk")
        )
    return Evaluation.objects.filter(
        tenant_id=membership.tenant_id, organisation_id=organisation
    ).values("contract_id")


def own_contracts(membership: Membership) -> frozenset[int] | None:
    if not permissions.acts_for_organisation(membership.role):
        return None
    if organisation_id_of(membership) is None:
        return frozenset()
    return frozenset(next(iter(row.values())) for row in _contract_ids(membership))


def covered_facilities(membership: Membership) -> frozenset[int] | None:
    """A contractor: the facilities its live contracts cover today. An evaluator: the
    facilities of the contracts assigned to it (whatever their dates)."""
    from procurement.models import ContractFacility

    if not permissions.acts_for_organisation(membership.role):
        return None
    if organisation_id_of(membership) is None:
        return frozenset()
    rows = ContractFacility.objects.filter(
        tenant_id=membership.tenant_id, contract__in=_contract_ids(membership)
    )
    if permissions.runs_contracts(membership.role):
        today = timezone.localdate()
        rows = rows.filter(live_from__lte=today, live_until__gte=today)
    return frozenset(rows.values_list("facility_id", flat=True))


def register() -> None:
    register_scope_provider(ORGANISATIONS, own_organisation)
    register_scope_provider(CONTRACTS, own_contracts)
    register_scope_provider(FACILITIES, covered_facilities)
