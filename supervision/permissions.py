"""Who may do what in supervision (roles are named only in stations.permissions)."""

from __future__ import annotations

from procurement import permissions as procurement_permissions
from procurement.models import Contract
from stations import permissions as station_permissions
from stations.models import Membership


def can_see_supervision(membership: Membership) -> bool:
    """Supervision pages and API: network roles (their scope's contracts) and contractors
    (their own contracts)."""
    return station_permissions.can_see_network(membership) or (
        procurement_permissions.runs_contracts(membership.role)
    )


def can_enter_sessions(membership: Membership, contract: Contract) -> bool:
    """Enter sessions and submit the months of ``contract``: a contractor acting for the
    contract's organisation."""
    from stations.scoping import ORGANISATIONS, scope_of

    if contract.tenant_id != membership.tenant_id:
        return False
    if not procurement_permissions.runs_contracts(membership.role):
        return False
    return contract.organisation_id in (scope_of(membership).ids(ORGANISATIONS) or ())


def can_review(membership: Membership, contract: Contract) -> bool:
    """Accept or return the months of ``contract``: its purchaser (the county officer of its
    county, or a city admin; city contracts: city admins)."""
    return procurement_permissions.can_manage_contract(membership, contract)


def can_unlock(membership: Membership, contract: Contract) -> bool:
    """Unlock an accepted month: a city admin of the contract's tenant."""
    return contract.tenant_id == membership.tenant_id and (
        station_permissions.can_unlock_reviewed_months(membership)
    )


def can_import_sessions(membership: Membership) -> bool:
    """Upload sessions from Excel: contractors (their organisation's contracts only; the
    import checks each row's contract with can_enter_sessions)."""
    return procurement_permissions.runs_contracts(membership.role)


def reviews_months(membership: Membership) -> bool:
    """Submitted months on the to-do list: purchasers (county officers, city admins)."""
    return procurement_permissions.can_manage_contracts(membership)


def submits_months(membership: Membership) -> bool:
    """Returned and overdue months on the to-do list: contractors."""
    return procurement_permissions.runs_contracts(membership.role)
