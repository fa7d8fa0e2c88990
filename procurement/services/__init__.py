"""Writes of the procurement app, split by sub-domain. Each runs in one transaction under
``acting`` (history names the user) and reports every problem at once."""

from procurement.services.contracts import (
    CONTRACT_FIELDS,
    CONTRACT_VALUES,
    contract_check,
    contract_create,
    contract_terminate,
    contract_terminate_check,
    contract_update,
)
from procurement.services.organisations import (
    ORGANISATION_FIELDS,
    organisation_check,
    organisation_create,
    organisation_member_set,
    organisation_update,
)

__all__ = [
    "CONTRACT_FIELDS",
    "CONTRACT_VALUES",
    "ORGANISATION_FIELDS",
    "contract_check",
    "contract_create",
    "contract_terminate",
    "contract_terminate_check",
    "contract_update",
    "organisation_check",
    "organisation_create",
    "organisation_member_set",
    "organisation_update",
]
