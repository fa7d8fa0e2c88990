"""Named capabilities of the procurement app; roles are named in ``stations.permissions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stations import permissions as station_permissions
from stations.permissions import Role

if TYPE_CHECKING:
    from procurement.models import Contract, Evaluation
    from stations.models import Membership


def can_see_organisations(membership: Membership) -> bool:
    """The tenant's organisations: everyone who sees the network (organisations serve several
    counties, so a county officer sees all of the city's); a contractor or evaluator its own."""
    return station_permissions.can_see_network(membership) or acts_for_organisation(membership.role)


def can_export_organisations(membership: Membership) -> bool:
    """Export the organisation register as XLSX: everyone who sees the network."""
    return station_permissions.can_see_network(membership)


def can_manage_organisations(membership: Membership) -> bool:
    """Register and change organisations: city admins and county officers."""
    return membership.role in (Role.CITY_ADMIN, Role.COUNTY_OFFICER)


def can_see_contracts(membership: Membership) -> bool:
    """Contract pages and API: network roles (a county officer: contracts of their county),
    a contractor (its organisation's signed contracts) and an evaluator (those assigned)."""
    return station_permissions.can_see_network(membership) or membership.role in (
        Role.CONTRACTOR,
        Role.EVALUATOR,
    )


def can_manage_contracts(membership: Membership) -> bool:
    """Record contracts and assign evaluations: city admins and county officers."""
    return role_records_contracts(membership.role)


def can_manage_contract(membership: Membership, contract: Contract) -> bool:
    """Change, terminate or have ``contract`` evaluated: its purchaser, i.e. the county
    officer of its county, or a city admin of its tenant (city contracts: city admins only)."""
    if contract.tenant_id != membership.tenant_id:
        return False
    if membership.role == Role.CITY_ADMIN:
        return True
    return (
        membership.role == Role.COUNTY_OFFICER
        and membership.scope is not None
        and bool(contract.county_code)
        and contract.county_code == membership.scope.county_code
    )


def role_records_contracts(role: str) -> bool:
    """Whether ``role`` records contracts (for a scope, which knows only its role)."""
    return role in (Role.CITY_ADMIN, Role.COUNTY_OFFICER)


def can_see_evaluations(membership: Membership) -> bool:
    """Evaluation pages and API: network roles, contractors (accepted evaluations of their
    contracts) and evaluators (their assignments)."""
    return can_see_contracts(membership)


def can_submit_evaluation(membership: Membership, evaluation: Evaluation) -> bool:
    """Fill in and submit ``evaluation``: an evaluator acting for its evaluation organisation."""
    from stations.scoping import ORGANISATIONS, scope_of

    own = scope_of(membership).ids(ORGANISATIONS) or frozenset()
    return membership.role == Role.EVALUATOR and evaluation.organisation_id in own


def acts_for_organisation(role: str) -> bool:
    """Whether a membership of ``role`` acts for one organisation (contractors, evaluators)."""
    return role in (Role.CONTRACTOR, Role.EVALUATOR)


def runs_contracts(role: str) -> bool:
    """Whether ``role`` sees contracts as their supplier (a contractor)."""
    return role == Role.CONTRACTOR


def evaluates_contracts(role: str) -> bool:
    """Whether ``role`` sees contracts as their third-party evaluator."""
    return role == Role.EVALUATOR


def gets_evaluation_reminders(membership: Membership) -> bool:
    """Evaluations to do (assigned or returned) on the to-do list: evaluators."""
    return evaluates_contracts(membership.role)
