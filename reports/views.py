"""Pages of the reports app: the dashboard (home page), compliance, background jobs."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import permissions as procurement_permissions
from procurement.panels import county_items
from procurement.selectors import (
    contract_figures,
    contracts_visible,
    evaluations_visible,
    organisations_visible,
)
from reports import permissions, services
from reports.alerts import alert_read, alerts_read_all, alerts_unread, alerts_visible
from reports.models import JobStatus, ReportFormat
from reports.rules import COMPLIANCE_LEVELS, compliance_run
from reports.selectors import jobs_visible, todos_of
from stations import permissions as station_permissions
from stations.boundaries import SOURCE as BOUNDARY_SOURCE
from stations.boundaries import boundary_codes
from stations.coverage import coverage_at
from stations.divisions import Level
from stations.forms import AsOfForm
from stations.models import FacilityLevel
from stations.registry import report_kinds
from stations.scoping import ScopedView
from stations.selectors import divisions_visible, facilities_visible
from stations.validation import record_id
from stations.widgets import DivisionPicker, scope_root
from supervision.selectors import contractor_months
from workforce.summary import workforce_trend


class JobListView(ScopedView):
    """Jobs in the user's scope, newest first; POST asks for a new one."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request):
        jobs = self.get_queryset()[:50]
        kinds = [kind for kind in report_kinds().values() if kind.may_request(self.membership)]
        formats = {code for kind in kinds for code in kind.formats}
        picker = DivisionPicker(
            levels_from="job-kind",
            level_map={kind.code: ",".join(kind.division_levels) for kind in kinds},
            root=scope_root(self.membership),
        )
        context = {
            "division_picker": picker.render("division", "", {"id": "job-division"}),
            "media": picker.media,
            "jobs": jobs,
            "kinds": [(kind.code, kind.label) for kind in kinds],
            "formats": [
                (value, label) for value, label in ReportFormat.choices if value in formats
            ],
            "today": timezone.localdate(),
        }
        return render(request, "reports/job_list.html", context)

    def post(self, request):
        try:
            kind = request.POST.get("kind", "")
            declared = report_kinds().get(kind)
            parameters = {
                name: request.POST[name]
                for name in (declared.parameters if declared else ())
                if request.POST.get(name)
            }
            job = services.job_request(
                actor=self.membership,
                kind=kind,
                division_code=request.POST.get("division") or None,
                parameters=parameters,
            )
        except ValidationError as error:
            # The error is shown on the jobs page the user is sent to.
            for messages_of_field in error.message_dict.values():
                for message in messages_of_field:
                    messages.error(request, message)
            return redirect("reports:job-list")
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("reports:job-list")
        messages.success(request, _("已提交：%(job)s，生成后可在此下载。") % {"job": job})
        return redirect("reports:job-list")


class JobProgressView(ScopedView):
    """One job: its row, polled by htmx until the job finishes; opened directly, its page
    in the layout (what was asked, progress, the file or why it failed)."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request, pk: int):
        job = self.get_object()
        if request.headers.get("HX-Request"):
            return render(request, "reports/_job_row.html", {"job": job})
        return render(request, "reports/job_detail.html", {"job": job})


class JobDownloadView(ScopedView):
    """The file of a finished job in scope."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request, pk: int):
        job = self.get_object()
        if job.status != JobStatus.SUCCEEDED or not job.result_file:
            raise Http404(_("文件尚未生成。"))
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.download_name,
        )


class ComplianceView(ScopedView):
    """The plan's rules for the user's scope on a day: each rule's clause, target, actual
    figure, whether it is met, and the offending records linked. City roles pick a county."""

    capability = staticmethod(permissions.can_view_compliance)

    def get(self, request):
        errors: dict[str, list[str]] = {}
        division = self.membership.scope_division
        code = request.GET.get("division", "").strip()
        if code:
            try:
                division = services.report_division_or_404(self.membership, code, COMPLIANCE_LEVELS)
            except ValidationError as error:
                errors.update(error.message_dict)
        try:
            as_of = services.report_as_of(request.GET.get("as_of", "").strip())
        except ValidationError as error:
            errors.update(error.message_dict)
            as_of = timezone.localdate()
        counties = list(
            divisions_visible(self.scope)
            .filter(level="county", retired_on__isnull=True)
            .order_by("code")
        )
        compliance = compliance_run(self.scope, division, as_of)
        if request.GET.get("fragment"):
            if errors:  # the card shows why (htmx does not swap an error status)
                return render(
                    request,
                    "reports/_compliance_card.html",
                    {"errors": [m for messages_ in errors.values() for m in messages_]},
                )
            # The dashboard's card: the summary, each rule linked to its section here.
            query = urlencode({"division": division.short_code, "as_of": as_of.isoformat()})
            link = f"{reverse('reports:compliance')}?{query}"
            return render(
                request,
                "reports/_compliance_card.html",
                {"compliance": compliance, "link_base": link},
            )
        context = {
            "compliance": compliance,
            "division": division,
            "as_of": as_of,
            "today": timezone.localdate(),
            "counties": counties if permissions.is_city_level(self.membership) else [],
            "errors": [message for messages_ in errors.values() for message in messages_],
            "can_report": permissions.can_use_jobs(self.membership),
        }
        return render(request, "reports/compliance.html", context, status=400 if errors else 200)


class TodoView(ScopedView):
    """本月待办: what the user has to do (stations.registry.TodoSource of every app), each
    item a link. The home loads it as a fragment (``?fragment=1``), so the dashboard does
    not wait for it."""

    def get(self, request):
        groups = todos_of(self.membership, timezone.localdate())
        template = "reports/_todos.html" if request.GET.get("fragment") else "reports/todos.html"
        return render(
            request, template, {"groups": groups, "total": sum(len(g.items) for g in groups)}
        )


class AlertListView(ScopedView):
    """提醒: the user's alerts, open ones first; POST ``read`` (one, ``alert``) or
    ``read_all`` marks them read. ``?badge=1`` answers the navigation's unread count."""

    selector = staticmethod(alerts_visible)

    def get(self, request):
        if request.GET.get("badge"):
            count = alerts_unread(self.scope).count()
            return render(request, "reports/_alert_badge.html", {"count": count})
        paginator = Paginator(self.get_queryset(), 50)
        page = paginator.get_page(request.GET.get("page"))
        return render(request, "reports/alerts.html", {"page": page})

    def post(self, request):
        if request.POST.get("action") == "read_all":
            alerts_read_all(membership=self.membership)
        else:
            alert = self.get_queryset().filter(pk=record_id(request.POST.get("alert"))).first()
            if alert is None:
                raise Http404(_("提醒不存在。"))
            alert_read(membership=self.membership, alert=alert)
            if request.POST.get("go"):
                return redirect(alert.url)
        return redirect("reports:alerts")


# The dashboard map's colours by coverage rate (a fraction): a band runs from its floor
# to the next one's. Presentation only: whether a county meets the plan is the
# coverage_target rule's (policy) answer on the compliance card.
MAP_FLOORS = [(0.0, "#deebf7"), (0.6, "#9ecae1"), (0.8, "#4292c6"), (0.95, "#08519c")]
MAP_NO_DATA = "#e9ecef"


def map_bands() -> list[dict]:
    """``[{"floor": fraction or None, "colour", "label"}]``: the map's legend and colours;
    the last band (floor None) is for a county with no counted township."""
    bands = []
    for index, (floor, colour) in enumerate(MAP_FLOORS):
        upper = MAP_FLOORS[index + 1][0] if index + 1 < len(MAP_FLOORS) else None
        if upper is None:
            label = _("%(low)s 及以上") % {"low": f"{floor:.0%}"}
        elif floor == 0:
            label = _("低于 %(high)s") % {"high": f"{upper:.0%}"}
        else:
            label = f"{floor:.0%}–{upper:.0%}"
        bands.append({"floor": floor, "colour": colour, "label": label})
    bands.append({"floor": None, "colour": MAP_NO_DATA, "label": _("无计入的乡镇（街道）")})
    return bands


class HomeView(ScopedView):
    """Coverage of the user's scope on a date, per county (or township), with charts and gaps."""

    def get(self, request):
        if not permissions.can_view_dashboard(self.membership):
            return render(request, "reports/home_other.html", self.organisation_home())
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
            "chart_labels": {
                "rate": _("覆盖率（%）"),
                "submitted": _("填报率（%）"),
                "on_time": _("按时提交率（%）"),
                "supervised": _("站点督导覆盖率（%）"),
            },
            "can_report": permissions.can_use_jobs(self.membership),
            "show_todos": station_permissions.keeps_a_county(self.membership),
            **self.procurement_items(as_of),
        }
        if root.level == Level.CITY:
            context.update(self.city_blocks(root, figures, as_of))
        return render(request, "reports/dashboard.html", context)

    def city_blocks(self, root, figures, as_of) -> dict:
        """What the city bureau reads beside coverage (five queries): licensed workers
        against the plan's path and per 1,000 inhabitants by county, stations under a live
        contract and funding by source, the map's data; the supervision chart and the
        compliance card are loaded by the browser from their own URLs."""
        counties = [child.division for child in figures.children]
        trend = workforce_trend(self.scope, root, as_of, counties)
        density = {row.division.code: row for row in trend.counties}
        drawn = boundary_codes(root.city_code)
        rows = [
            {
                "division": child.division,
                "covered": child.covered,
                "total": child.total,
                "rate": child.rate,
                "licensed": density[child.division.code].licensed,
                "per_thousand": density[child.division.code].per_thousand,
            }
            for child in figures.children
        ]
        # Supervision months are due the month after: the chart ends with the month before.
        end = (as_of.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        start = (end - datetime.timedelta(days=330)).replace(day=1)
        supervision_url = (
            reverse("supervision:api-completeness")
            + "?"
            + urlencode(
                {"division": root.short_code, "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}
            )
        )
        compliance_url = (
            reverse("reports:compliance")
            + "?"
            + urlencode({"division": root.short_code, "as_of": as_of.isoformat(), "fragment": 1})
        )
        return {
            "trend": trend,
            "county_rows": rows,
            "contracts": contract_figures(self.scope, as_of),
            "map_counties": {
                row["division"].county_code: {
                    "name": row["division"].name,
                    "rate": row["rate"],
                    "url": reverse("stations:division-detail", args=[row["division"].short_code]),
                }
                for row in rows
            },
            "map_missing": [
                row["division"] for row in rows if row["division"].county_code not in drawn
            ],
            "map_url": reverse("stations:api-boundaries") + "?division=" + root.short_code,
            "map_source": BOUNDARY_SOURCE,
            "map_bands": map_bands(),
            "supervision_url": supervision_url,
            "supervision_months": (start, end),
            "compliance_url": compliance_url
            if permissions.can_view_compliance(self.membership)
            else None,
        }

    def organisation_home(self) -> dict:
        """A contractor's or evaluator's home: its organisation, its contracts and the
        stations they cover today, its evaluations (assignments for an evaluator)."""
        today = timezone.localdate()
        contracts = list(contracts_visible(self.scope).order_by("-start_on", "number")[:50])
        for contract in contracts:
            contract.status_today = contract.status_on(today)  # type: ignore[attr-defined]
        runs = procurement_permissions.runs_contracts(self.membership.role)
        return {
            "organisation": organisations_visible(self.scope).first(),
            "supervision_months": contractor_months(self.scope, today) if runs else None,
            "contracts": contracts,
            "stations": list(facilities_visible(self.scope).order_by("county_code", "division_id")),
            "evaluations": list(evaluations_visible(self.scope).order_by("-period_end")[:50]),
        }

    def procurement_items(self, as_of) -> dict:
        """What the county has to arrange next (procurement.panels.county_items)."""
        return {"procurement": county_items(self.scope, self.scope.county_code, as_of)}
