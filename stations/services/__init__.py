"""Validated, audited writes of the stations app, split by sub-domain."""

from stations.services.policy import policy_defaults_seed, policy_value_set
from stations.services.tenancy import (
    acting,
    coverage_override_clear,
    coverage_override_end,
    coverage_override_set,
    membership_scope,
    membership_set,
    prefecture_for_tenant,
    tenant_create,
    user_with_membership,
)

__all__ = [
    "acting",
    "coverage_override_clear",
    "coverage_override_end",
    "coverage_override_set",
    "membership_scope",
    "membership_set",
    "policy_defaults_seed",
    "policy_value_set",
    "prefecture_for_tenant",
    "tenant_create",
    "user_with_membership",
]
