"""Accounts a city admin looks after: sign-ins locked after repeated wrong passwords."""

from __future__ import annotations

import datetime
import logging

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import permissions
from stations.models import Membership
from stations.scoping import ScopedView

audit = logging.getLogger("stations.audit")


def locked_attempts(tenant_id: int):
    """Sign-in lockouts in force for the tenant's members: username, address, failures, last try.

    Only usernames with a membership in the tenant: another tenant's lockouts stay unseen.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    since = timezone.now() - (cooloff if isinstance(cooloff, datetime.timedelta) else cooloff())
    members = Membership.objects.filter(tenant_id=tenant_id).values("user__username")
    return AccessAttempt.objects.filter(
        username__in=members,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    ).order_by("-attempt_time")


class LockedAccountsView(ScopedView):
    """The city admin's list of locked sign-ins of the tenant's users, each with 解锁."""

    capability = staticmethod(permissions.can_unlock_accounts)

    def get(self, request):
        context = {
            "attempts": list(locked_attempts(self.membership.tenant_id)),
            "limit": settings.AXES_FAILURE_LIMIT,
        }
        return render(request, "stations/locked_accounts.html", context)

    def post(self, request):
        username = request.POST.get("username", "")
        if not locked_attempts(self.membership.tenant_id).filter(username=username).exists():
            raise Http404(_("该账户没有被锁定，或不是本租户的用户。"))
        reset(username=username)
        audit.info(
            "unlock username=%s by=%s tenant=%s",
            username,
            request.user.get_username(),
            self.membership.tenant.code,
        )
        messages.success(
            request, _("已解锁：%(username)s，现在可以重新登录。") % {"username": username}
        )
        return redirect("stations:locked-accounts")
