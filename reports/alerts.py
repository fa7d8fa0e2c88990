"""Alerts (提醒): each membership's to-do items (reports.selectors.todos_of) kept as
notifications, read or unread, with a daily digest e-mail.

Beat runs ``alerts_daily`` at 08:00 Asia/Shanghai. It is idempotent: an item becomes one
alert per membership whatever the number of runs (the alert_once constraint), an alert
whose item has left the list is marked resolved (and opens again if the item returns),
and a membership gets at most one digest a day (alert_digest_once_a_day), listing its own
unread alerts only.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import Alert, AlertDigest
from reports.selectors import todos_of
from stations.models import Membership
from stations.registry import todo_sources
from stations.scoping import scope_of
from stations.selectors import Actor

logger = logging.getLogger(__name__)


def alerts_visible(actor: Actor) -> QuerySet[Alert]:
    """The user's own alerts in the scope's tenant (nobody sees another user's): open ones
    first (unread before read), then resolved, newest first."""
    scope = scope_of(actor)
    if scope.user_id is None:  # a job's scope acts for nobody
        return Alert.objects.none()
    return Alert.objects.filter(
        tenant_id=scope.tenant_id, membership__user_id=scope.user_id
    ).order_by(F("resolved_at").desc(nulls_first=True), F("read_at").desc(nulls_first=True),
               "-created_at", "-pk")  # fmt: skip


def alerts_unread(actor: Actor) -> QuerySet[Alert]:
    """Alerts still to look at: unread and not resolved."""
    return alerts_visible(actor).filter(read_at__isnull=True, resolved_at=None)


def alerts_refresh(membership: Membership, today: datetime.date) -> int:
    """Bring the membership's alerts in line with its to-do list on ``today``: one new alert
    per new item, resolved ones for items that left, reopened ones for items that came
    back. Returns the number of new alerts."""
    items = [item for group in todos_of(membership, today) for item in group.items]
    current = {(item.source, item.key[:120]): item for item in items}
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (alert.source, alert.key): alert
            for alert in Alert.objects.select_for_update().filter(membership=membership)
        }
        new = [
            Alert(
                tenant_id=membership.tenant_id,
                membership=membership,
                source=item.source,
                key=item.key[:120],
                text=item.text[:500],
                url=item.url[:300],
                due=item.due,
            )
            for pair, item in current.items()
            if pair not in existing
        ]
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        gone = [
            alert.pk
            for pair, alert in existing.items()
            if pair not in current and alert.resolved_at is None
        ]
        Alert.objects.filter(pk__in=gone).update(resolved_at=now)
        for pair, alert in existing.items():
            item = current.get(pair)
            if item is not None and alert.resolved_at is not None:  # back: as it reads today
                alert.resolved_at = alert.read_at = None
                alert.text, alert.url, alert.due = item.text[:500], item.url[:300], item.due
                alert.save(update_fields=["resolved_at", "read_at", "text", "url", "due"])
    return len(new)


def _digest(membership: Membership, today: datetime.date) -> bool:
    """Send the membership its digest of ``today`` once, when it has an address and unread
    alerts. The day's row is written first (a second run sends nothing) and removed again
    when the mail cannot be sent (the next run tries again). Returns whether a mail went."""
    address = membership.user.email
    unread = list(alerts_unread(membership).order_by("source", "due", "pk")[:200])
    if not address or not unread:
        return False
    try:
        with transaction.atomic():
            digest = AlertDigest.objects.create(
                membership=membership, day=today, sent_to=address, items=len(unread)
            )
    except IntegrityError:  # sent already today (another run of beat)
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(tenant)s社工站管理平台：今日待办 %(n)d 项") % {
            "tenant": " ".join(membership.tenant.name.split()),
            "n": len(unread),
        }
        lines = [f"· {alert.text}\n  {settings.SITE_URL}{alert.url}" for alert in unread]
        body = "\n".join([_("您好，以下事项需要处理（%(day)s）：") % {"day": today}, "", *lines])
    try:
        send_mail(subject, body, None, [address])
    except Exception:  # noqa: BLE001 - one bad address or a mail server down: the rest go on
        logger.exception("alert digest to membership %s not sent", membership.pk)
        digest.delete()
        return False
    return True


def alerts_daily(*, today: datetime.date | None = None) -> dict[str, int]:
    """Refresh every active membership's alerts, then send the day's digests (beat,
    08:00). A membership whose refresh or mail fails is logged and the others go on.
    Returns ``{"memberships", "alerts", "digests"}`` made by this run."""
    today = today or timezone.localdate()
    counts = {"memberships": 0, "alerts": 0, "digests": 0}
    sources = todo_sources()
    members = Membership.objects.filter(
        is_active=True, user__is_active=True, tenant__is_active=True
    ).select_related("user", "tenant", "scope")
    with_open = set(
        Alert.objects.filter(resolved_at=None).values_list("membership_id", flat=True).distinct()
    )
    refreshed = []
    for membership in members.order_by("pk"):
        # A membership that lost its to-do sources (a new role) still has its alerts resolved.
        if not any(source.audience(membership) for source in sources) and (
            membership.pk not in with_open
        ):
            continue
        try:
            counts["alerts"] += alerts_refresh(membership, today)
        except Exception:  # noqa: BLE001 - one membership's failure never stops the others
            logger.exception("alerts of membership %s not refreshed", membership.pk)
            continue
        counts["memberships"] += 1
        refreshed.append(membership)
    for membership in refreshed:
        counts["digests"] += _digest(membership, today)
    return counts


def alert_read(*, membership: Membership, alert: Alert) -> Alert:
    """Mark one of the membership's alerts read (again: nothing changes).
    PermissionDenied for another membership's alert."""
    if alert.membership.user_id != membership.user_id or alert.tenant_id != membership.tenant_id:
        raise PermissionDenied(_("这不是您的提醒。"))
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    return alert


def alerts_read_all(*, membership: Membership) -> int:
    """Mark every unread alert of the membership read; returns how many."""
    return Alert.objects.filter(pk__in=alerts_unread(membership).values("pk")).update(
        read_at=timezone.now()
    )
