"""Reads of the procurement app, always through the actor's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from procurement.models import Organisation
from stations.scoping import scope_of
from stations.selectors import Actor


def organisations_visible(actor: Actor) -> QuerySet[Organisation]:
    """Organisations of the scope's tenant; none for a scope without the station network
    (a contractor or evaluator sees its own organisation once memberships name it)."""
    scope = scope_of(actor)
    if not scope.network:
        return Organisation.objects.none()
    return Organisation.objects.filter(tenant_id=scope.tenant_id).select_related("incubated_by")
