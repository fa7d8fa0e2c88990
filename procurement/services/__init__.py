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
from procurement.services.evaluations import (
    evaluation_accept,
    evaluation_assign,
    evaluation_assign_check,
    evaluation_return,
    evaluation_submit,
    evaluation_submit_check,
    station_contracts_held,
)
from procurement.services.funds import assistance_funds_check, assistance_funds_set
from procurement.services.organisations import (
    ORGANISATION_FIELDS,
    organisation_check,
    organisation_create,
    organisation_member_set,
    organisation_update,
)

__all__ = [
    "assistance_funds_check",
    "assistance_funds_set",
    "CONTRACT_FIELDS",
    "CONTRACT_VALUES",
    "ORGANISATION_FIELDS",
    "contract_check",
    "contract_create",
    "contract_terminate",
    "contract_terminate_check",
    "contract_update",
    "evaluation_accept",
    "evaluation_assign",
    "evaluation_assign_check",
    "evaluation_return",
    "evaluation_submit",
    "evaluation_submit_check",
    "station_contracts_held",
    "organisation_check",
    "organisation_create",
    "organisation_member_set",
    "organisation_update",
]
