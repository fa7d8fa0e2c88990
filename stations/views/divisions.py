"""Pages of the stations app: home, tenant switcher, division browser."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from stations import permissions, selectors, services
from stations.divisions import Level
from stations.forms import CoverageOverrideForm, TenantSwitchForm
from stations.history import event_rows, history_entries
from stations.models import CoverageOverride, FacilityLevel
from stations.registry import division_panels
from stations.scoping import SESSION_TENANT_KEY, ScopedView, choose_membership
from stations.selectors import memberships_of


class TenantSwitchView(ScopedView):
    """Make another of the user's memberships the active one for this session."""

    def post(self, request):
        form = TenantSwitchForm(request.POST)
        chosen = None
        if form.is_valid():
            chosen = choose_membership(memberships_of(request.user), form.cleaned_data["tenant"])
        if chosen is None:
            raise Http404(_("租户不存在或您不是其成员。"))
        request.session[SESSION_TENANT_KEY] = chosen.tenant.code
        messages.success(request, _("已切换到 %(name)s。") % {"name": chosen.tenant.name})
        return redirect("reports:home")


# The facility a "在此建站" link on a division's page creates.
NEW_FACILITY_LEVEL = {
    Level.COUNTY: FacilityLevel.COUNTY_CENTRE,
    Level.TOWNSHIP: FacilityLevel.TOWNSHIP_STATION,
    Level.VILLAGE: FacilityLevel.VILLAGE_ROOM,
}


class DivisionRootView(ScopedView):
    capability = staticmethod(permissions.can_see_network)

    def get(self, request):
        return redirect("stations:division-detail", code=self.membership.scope_division.short_code)


class DivisionDetailView(ScopedView):
    """One division of the scope: its path, township units and children.

    On a township page a city admin counts or excludes the unit (POST).
    """

    capability = staticmethod(permissions.can_see_network)

    def get(self, request, code: str):
        return self.render_page(request, code)

    def post(self, request, code: str):
        division = selectors.division_get(self.scope, code)
        if not permissions.can_manage_coverage(self.membership):
            raise PermissionDenied(_("只有市级管理员可以调整覆盖口径。"))
        if request.POST.get("action") == "clear":
            try:
                services.coverage_override_clear(actor=self.membership, division_code=division.code)
            except ValidationError as error:
                for field_messages in error.message_dict.values():
                    for message in field_messages:
                        messages.error(request, message)
            else:
                messages.success(request, _("已从今天起恢复默认口径。"))
            return redirect("stations:division-detail", code=division.short_code)
        form = CoverageOverrideForm(request.POST)
        if form.is_valid():
            try:
                services.coverage_override_set(
                    actor=self.membership,
                    division_code=division.code,
                    counted=form.cleaned_data["counted"],
                    reason=form.cleaned_data["reason"],
                    effective_from=form.cleaned_data["effective_from"],
                    effective_to=form.cleaned_data["effective_to"],
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, _("覆盖口径已调整。"))
                return redirect("stations:division-detail", code=division.short_code)
        return self.render_page(request, code, form=form, status=400)

    def render_page(self, request, code, *, form=None, status=200):
        division = selectors.division_get(self.scope, code)
        context = {
            "division": division,
            "path": selectors.division_path(self.scope, division),
            "totals": selectors.township_totals(self.scope, division),
            "children": selectors.children_with_township_counts(self.scope, division),
            "can_override": permissions.can_manage_coverage(self.membership)
            and division.level == Level.TOWNSHIP,
            "division_history": list(selectors.division_history(self.scope, division)[:20]),
            # The stations (or rooms, centres) standing on this division, covering it or not.
            "facilities": list(
                selectors.facilities_visible(self.scope)
                .filter(division_id=division.code)
                .order_by("level", "-status", "pk")
            ),
            "new_level": NEW_FACILITY_LEVEL.get(division.level),
            "panels": [
                (panel.template, panel_context)
                for panel in division_panels()
                if division.level in panel.levels
                and (panel_context := panel.context(self.scope, division)) is not None
            ],
        }
        if division.level == Level.TOWNSHIP:
            context["override_periods"] = list(
                selectors.coverage_overrides_visible(self.scope).filter(division=division)
            )
            context["override_history"] = history_entries(
                event_rows(selectors.coverage_override_history(self.scope, division)),
                CoverageOverride,
            )[:20]
            context["form"] = form or CoverageOverrideForm(
                initial={"counted": "0" if division.is_counted else "1"}
            )
        return render(request, "stations/division_detail.html", context, status=status)


class HealthView(View):
    """Liveness for load balancers: 200 when the database answers, 503 when it does not."""

    def get(self, request):
        from config.celery_app import app

        checks = {"time": timezone.localtime().isoformat()}
        healthy = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            checks["database"] = f"error: {type(error).__name__}"
            healthy = False
        try:
            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001 - the broker being down is reported, not fatal
            checks["broker"] = f"error: {type(error).__name__}"
        checks["status"] = "ok" if healthy else "error"
        return JsonResponse(checks, status=200 if healthy else 503)
