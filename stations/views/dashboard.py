"""The home page: the city bureau's dashboard, or a county officer's county page."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import permissions
from stations.coverage import coverage_at
from stations.forms import AsOfForm
from stations.models import FacilityLevel
from stations.scoping import ScopedView


class HomeView(ScopedView):
    """Coverage of the user's scope on a date, per county (or township), with charts and gaps."""

    def get(self, request):
        if not permissions.can_see_network(self.membership):
            return render(request, "stations/home_other.html")
        form = AsOfForm(request.GET or None)
        as_of = form.cleaned_data["as_of"] if form.is_valid() else timezone.localdate()
        root = self.membership.scope_division
        figures = coverage_at(self.scope, root, as_of)
        facilities = [
            {"level": level, "label": label, "count": figures.facilities.get(level, 0)}
            for level, label in FacilityLevel.choices
        ]
        context = {
            "form": form if request.GET else AsOfForm(initial={"as_of": as_of}),
            "as_of": as_of,
            "is_today": as_of == timezone.localdate(),
            "root": root,
            "figures": figures,
            "facilities": facilities,
            "chart_labels": {"rate": _("覆盖率（%）")},
            "can_report": permissions.can_request_jobs(self.membership),
        }
        return render(request, "stations/dashboard.html", context)
