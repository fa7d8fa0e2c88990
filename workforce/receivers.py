"""What workforce does when procurement says something happened (procurement.signals)."""

from __future__ import annotations

from django.db.models import Q
from django.dispatch import receiver

from procurement.signals import contract_terminated
from workforce.models import Assignment


@receiver(contract_terminated, dispatch_uid="workforce_end_posts_of_terminated_contract")
def end_posts_of_terminated_contract(sender, contract, on, actor, **kwargs) -> None:
    """Posts held under a contract terminated early end on its last day; posts that were
    to start after it are removed. Runs in the termination's transaction and history
    context, so the history names who terminated the contract."""
    posts = Assignment.objects.filter(contract=contract)
    posts.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).update(
        ended_on=on
    )
    posts.filter(started_on__gt=on).delete()
