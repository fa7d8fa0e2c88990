"""Supervision pages: the contractor's months (portal), one contract's month (sessions,
entry, submit, review), the review queue and completeness by county and month."""

from __future__ import annotations

import datetime
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import Contract, ContractKind, ContractState
from procurement.permissions import runs_contracts
from procurement.selectors import contracts_visible
from stations import permissions as station_permissions
from stations.divisions import Level
from stations.forms import add_other_errors, add_service_errors
from stations.history import event_rows, history_entries
from stations.models import Facility
from stations.scoping import ScopedView
from stations.selectors import division_get, divisions_visible
from stations.spreadsheets import xlsx_response
from stations.validation import StateConflict, all_errors, record_id
from stations.views.imports import ImportUploadView
from supervision import permissions, services
from supervision.forms import AssignmentForm, ReasonForm, SessionEntryForm
from supervision.models import MonthlySubmission, SubmissionState, SupervisionSession
from supervision.selectors import (
    completeness,
    contractor_months,
    county_of,
    month_overviews,
    months_between,
    review_queue,
    sessions_visible,
    supervisor_assignments_visible,
)
from supervision.services import in_force_in, month_end, month_start
from supervision.session_import import (
    SESSION_FIELDS,
    session_template,
    session_template_filename,
    sessions_month_workbook,
)
from workforce.models import Assignment, SocialWorker
from workforce.summary import STATION_ROLES

MONTHS_SHOWN_AT_MOST = 24
HISTORY_AT_MOST = 200  # events of each kind on a month's page
ATTACHMENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                    "png": "image/png"}  # fmt: skip


def parse_month(text: str) -> datetime.date | None:
    """``YYYY-MM`` as the month's first day; None when it is not one."""
    try:
        day = datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    return day if len(text) == 7 else None


def contract_month(scope, pk: int, month_text: str) -> tuple[Contract, datetime.date]:
    """The station-operation contract ``pk`` in scope and the month ``YYYY-MM``; 404 when
    the contract is not visible, or was not in force on a day of that month, or the month
    has not begun."""
    month = parse_month(month_text)
    contract = (
        contracts_visible(scope)
        .filter(kind=ContractKind.STATION_OPERATION, pk=pk)
        .exclude(state=ContractState.DRAFT)
        .select_related("organisation")
        .first()
    )
    if (
        contract is None
        or month is None
        or month > month_start(timezone.localdate())
        or not in_force_in(contract, month)
    ):
        raise Http404(_("该合同没有这个月份。"))
    return contract, month


class SupervisionHomeView(ScopedView):
    """督导填报: a contractor's months to fill in (this month and the last per contract) and
    its recent months; a purchaser's queue of submitted months to review; network roles'
    completeness of the year so far."""

    capability = staticmethod(permissions.can_see_supervision)

    def get(self, request):
        today = timezone.localdate()
        context: dict = {"today": today}
        if runs_contracts(self.membership.role):
            context["months"] = contractor_months(self.scope, today)
            context["recent"] = (
                MonthlySubmission.objects.filter(
                    contract__in=contracts_visible(self.scope).filter(
                        kind=ContractKind.STATION_OPERATION
                    )
                )
                .select_related("contract")
                .order_by("-month", "contract__number")[:MONTHS_SHOWN_AT_MOST]
            )
        else:
            context["queue"] = review_queue(self.membership)
            start = datetime.date(today.year, 1, 1)
            last = month_start(today) - datetime.timedelta(days=1)
            if last < start:  # January: last year's months
                start = datetime.date(today.year - 1, 1, 1)
            context["completeness"] = completeness(
                self.scope, self.membership.scope_division, start, last
            )
            context["range"] = (start, month_start(last))
        return render(request, "supervision/home.html", context)


class MonthView(ScopedView):
    """One contract's month: stations, sessions with their flags, the stations still without
    one; the contractor enters (or copies) and deletes sessions and submits; the purchaser
    accepts or returns it with a reason; a city admin unlocks an accepted month."""

    capability = staticmethod(permissions.can_see_supervision)

    def assignments(self, contract: Contract, month: datetime.date) -> list:
        """The contract's supervisor assignments running on a day of ``month``."""
        return list(
            supervisor_assignments_visible(self.scope)
            .filter(contract=contract, started_on__lte=month_end(month))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month))
            .select_related("supervisor", "facility")
            .order_by("supervisor__name", "facility__division_id")
        )

    def pickers(self, contract: Contract, month: datetime.date, stations, assignments) -> dict:
        """Choices of the entry form: supervisors assigned under the contract in the month,
        then the organisation's other workers; the stations' workers posted in the month."""
        assigned: dict[int, list[str]] = {}
        names: dict[int, str] = {}
        for row in assignments:
            assigned.setdefault(row.supervisor_id, []).append(row.facility.name)
            names[row.supervisor_id] = row.supervisor.name
        supervisors = [
            (pk, _("%(name)s（负责 %(stations)s）") % {"name": names[pk], "stations": "、".join(s)})
            for pk, s in assigned.items()
        ]
        others = list(
            SocialWorker.objects.filter(employer=contract.organisation_id)
            .exclude(pk__in=assigned)
            .order_by("name")
            .values_list("pk", "name")[:500]
        )
        supervisors.extend(others)
        workers = [
            (worker, _("%(name)s（%(station)s）") % {"name": name, "station": station})
            for worker, name, station in Assignment.objects.filter(
                facility__in=[station.pk for station in stations],
                role__in=STATION_ROLES,
                started_on__lte=month_end(month),
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month))
            .order_by("facility__division_id", "worker__name")
            .values_list("worker_id", "worker__name", "facility__name")
            .distinct()
        ]
        return {"supervisors": supervisors, "workers": workers, "everyone": supervisors}

    def copied(self, contract: Contract, month: datetime.date, pk: str) -> dict:
        """The entry form's initial values from session ``pk`` of the same contract: its
        station, supervisor, form, topics and workers, at the same times of day on the same
        day of ``month`` (the month's last day when it is shorter)."""
        session_id = record_id(pk)
        if session_id is None:
            return {}
        source = (
            sessions_visible(self.scope)
            .filter(contract=contract, pk=session_id)
            .prefetch_related("participants")
            .first()
        )
        if source is None:
            return {}
        start = timezone.localtime(source.started_at)
        end = timezone.localtime(source.ended_at)
        day = min(start.day, month_end(month).day)
        moved = start.replace(year=month.year, month=month.month, day=day)
        return {
            "facility": source.facility_id,
            "supervisor": source.supervisor_id,
            "started_at": moved.replace(tzinfo=None),
            "ended_at": (moved + (end - start)).replace(tzinfo=None),
            "form": source.form,
            "topics": source.topics,
            "participants": [worker.pk for worker in source.participants.all()],
        }

    def get(
        self, request, pk: int, month: str, form=None, reason_form=None, assign_form=None,
        status=200,
    ):  # fmt: skip
        contract, first = contract_month(self.scope, pk, month)
        overview = month_overviews(self.scope, [(contract, first)])[0]
        sessions = list(
            sessions_visible(self.scope)
            .filter(contract=contract, month=first)
            .prefetch_related("participants")
            .order_by("started_at", "pk")
        )
        for session in sessions:
            session.flags = overview.flags.get(session.pk, [])  # type: ignore[attr-defined]
        may_enter = permissions.can_enter_sessions(self.membership, contract)
        can_enter = may_enter and overview.editable
        can_assign = may_enter or permissions.can_review(self.membership, contract)
        assignments = self.assignments(contract, first)
        context = {
            "contract": contract,
            "overview": overview,
            "sessions": sessions,
            "can_enter": can_enter,
            "can_review": permissions.can_review(self.membership, contract)
            and overview.state == SubmissionState.SUBMITTED,
            "can_unlock": permissions.can_unlock(self.membership, contract)
            and overview.state == SubmissionState.ACCEPTED,
            "reason_form": reason_form or ReasonForm(),
            "history": self.history(contract, first, overview.submission),
            "previous": month_start(first - datetime.timedelta(days=1)),
            "assignments": assignments,
        }
        if can_enter or can_assign:
            pickers = self.pickers(contract, first, overview.stations, assignments)
        if can_enter:
            initial = self.copied(contract, first, request.GET.get("copy", ""))
            context["form"] = form or SessionEntryForm(
                initial=initial,
                stations=overview.stations,
                month=first,
                supervisors=pickers["supervisors"],
                workers=pickers["workers"],
            )
            context["copying"] = bool(initial)
        if can_assign:
            context["assign_form"] = assign_form or AssignmentForm(
                stations=overview.stations, supervisors=pickers["everyone"], auto_id="assign-%s"
            )
        return render(request, "supervision/month.html", context, status=status)

    def history(
        self, contract: Contract, first: datetime.date, submission: MonthlySubmission | None
    ) -> list:
        """The month's story, newest first: its submission's transitions and the sessions
        entered or deleted (a county officer: at its county's stations)."""
        sessions = SupervisionSession.pgh_event_model.objects.filter(  # type: ignore[attr-defined]
            contract_id=contract.pk, month=first
        ).select_related("pgh_context")
        county = county_of(self.scope)
        if county:
            sessions = sessions.filter(facility__county_code=county)
        rows = event_rows(sessions.order_by("-pgh_created_at", "-pgh_id")[:HISTORY_AT_MOST])
        if submission is not None:
            rows += event_rows(
                MonthlySubmission.pgh_event_model.objects.filter(  # type: ignore[attr-defined]
                    pgh_obj_id=submission.pk
                )
                .select_related("pgh_context")
                .order_by("-pgh_created_at", "-pgh_id")[:HISTORY_AT_MOST]
            )
        rows.sort(key=lambda row: row["pgh_created_at"], reverse=True)
        return history_entries(rows, MonthlySubmission)

    def post(self, request, pk: int, month: str):
        contract, first = contract_month(self.scope, pk, month)
        here = reverse("supervision:month", args=[contract.pk, f"{first:%Y-%m}"])
        action = request.POST.get("action")
        try:
            if action == "session":
                return self.enter(request, contract, first, here)
            if action == "delete":
                session = (
                    sessions_visible(self.scope)
                    .filter(
                        contract=contract, month=first, pk=record_id(request.POST.get("session"))
                    )
                    .first()
                )
                if session is None:
                    raise Http404(_("督导记录不存在。"))
                services.session_delete(actor=self.membership, session=session)
                messages.success(request, _("已删除督导记录。"))
            elif action == "submit":
                services.submission_submit(actor=self.membership, contract=contract, month=first)
                messages.success(request, _("已提交，等待采购人审核。"))
            elif action == "assign":
                return self.assign(request, contract, first, here)
            elif action in ("accept", "return", "unlock"):
                return self.review(request, contract, first, action, here)
            else:
                raise Http404
        except StateConflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(here)

    def enter(self, request, contract: Contract, first: datetime.date, here: str):
        overview = month_overviews(self.scope, [(contract, first)])[0]
        if not permissions.can_enter_sessions(self.membership, contract):
            raise PermissionDenied(_("只有该合同的承接机构可以录入督导记录。"))
        pickers = self.pickers(
            contract, first, overview.stations, self.assignments(contract, first)
        )
        form = SessionEntryForm(
            request.POST,
            request.FILES,
            stations=overview.stations,
            month=first,
            supervisors=pickers["supervisors"],
            workers=pickers["workers"],
        )
        valid = form.is_valid()
        values = self.service_values(contract, form.cleaned_data)
        if valid:
            try:
                services.session_create(actor=self.membership, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已录入督导记录。"))
                return redirect(here)
        else:
            check = partial(services.session_check, actor=self.membership, **values)
            add_other_errors(form, all_errors(form.errors, check))
        return self.get(request, contract.pk, f"{first:%Y-%m}", form=form, status=400)

    def assign(self, request, contract: Contract, first: datetime.date, here: str):
        overview = month_overviews(self.scope, [(contract, first)])[0]
        pickers = self.pickers(
            contract, first, overview.stations, self.assignments(contract, first)
        )
        form = AssignmentForm(
            request.POST,
            stations=overview.stations,
            supervisors=pickers["everyone"],
            auto_id="assign-%s",
        )
        if form.is_valid():
            tenant = self.membership.tenant_id
            try:
                services.supervisor_assign(
                    actor=self.membership,
                    contract=contract,
                    supervisor=SocialWorker.objects.get(
                        tenant_id=tenant, pk=form.cleaned_data["supervisor"]
                    ),
                    facility=Facility.objects.get(
                        tenant_id=tenant, pk=form.cleaned_data["facility"]
                    ),
                    started_on=form.cleaned_data["started_on"],
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已安排督导。"))
                return redirect(here)
        return self.get(request, contract.pk, f"{first:%Y-%m}", assign_form=form, status=400)

    def service_values(self, contract: Contract, cleaned: dict) -> dict:
        """The form's values as session_check takes them (records for ids)."""
        tenant = self.membership.tenant_id
        workers = SocialWorker.objects.filter(tenant_id=tenant)
        values = {name: cleaned.get(name) for name in SESSION_FIELDS}
        for name in ("form", "topics", "hours_note", "notes"):
            values[name] = values[name] or ""
        values["contract"] = contract
        values["facility"] = Facility.objects.filter(
            tenant_id=tenant, pk=cleaned.get("facility") or 0
        ).first()
        values["supervisor"] = workers.filter(pk=cleaned.get("supervisor") or 0).first()
        values["participants"] = list(workers.filter(pk__in=cleaned.get("participants") or []))
        values["attachment"] = cleaned.get("attachment") or None
        return values

    def review(self, request, contract: Contract, first: datetime.date, action: str, here: str):
        submission = MonthlySubmission.objects.filter(contract=contract, month=first).first()
        if submission is None:
            messages.error(request, _("该月还没有提交。"))
            return redirect(here)
        if action == "accept":
            services.submission_accept(actor=self.membership, submission=submission)
            messages.success(request, _("已审核通过，该月已锁定。"))
            return redirect(here)
        form = ReasonForm(request.POST)
        if form.is_valid():
            act = services.submission_return if action == "return" else services.submission_unlock
            try:
                act(
                    actor=self.membership, submission=submission, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                done = (
                    _("已退回承接机构。") if action == "return" else _("已解锁，退回承接机构修改。")
                )
                messages.success(request, done)
                return redirect(here)
        return self.get(request, contract.pk, f"{first:%Y-%m}", reason_form=form, status=400)


class SessionAttachmentView(ScopedView):
    """A session's sign-in sheet (PDF or image), for whoever may see the session."""

    selector = staticmethod(sessions_visible)
    capability = staticmethod(permissions.can_see_supervision)

    def get(self, request, pk: int):
        session = self.get_object()
        if not session.attachment:
            raise Http404(_("没有上传签到表。"))
        suffix = session.attachment.name.rsplit(".", 1)[-1].lower()
        return FileResponse(
            session.attachment.open("rb"),
            filename=f"sign-in-{session.pk}.{suffix}",
            content_type=ATTACHMENT_TYPES.get(suffix, "application/octet-stream"),
        )


class MonthTemplateView(ScopedView):
    """The Excel template of one contract's month: its sessions so far (they import again
    unchanged), the stations and supervisors to pick from."""

    capability = staticmethod(permissions.can_see_supervision)

    def get(self, request, pk: int, month: str):
        contract, first = contract_month(self.scope, pk, month)
        content = sessions_month_workbook(self.membership, contract, first)
        return xlsx_response(content, session_template_filename(contract, first))


class SessionImportView(ImportUploadView):
    """Upload sessions from Excel (contractors): any of their contracts and months, all or
    nothing, with a preview."""

    kind = "supervision_sessions"
    template_url = "supervision:session-import-template"
    capability = staticmethod(permissions.can_import_sessions)


class SessionTemplateView(ScopedView):
    capability = staticmethod(permissions.can_import_sessions)

    def get(self, request):
        return xlsx_response(
            session_template(self.membership), f"{self.membership.tenant.code}-sessions.xlsx"
        )


class CompletenessView(ScopedView):
    """督导填报完整性: submitted, accepted and on-time rates by county and month for a range
    of months (default this year to last month), with the missing months listed."""

    capability = staticmethod(station_permissions.can_see_network)

    def get(self, request):
        today = timezone.localdate()
        last_month = month_start(month_start(today) - datetime.timedelta(days=1))
        start = parse_month(request.GET.get("start", "")) or datetime.date(last_month.year, 1, 1)
        end = parse_month(request.GET.get("end", "")) or last_month
        errors = []
        if end < start:
            errors.append(_("结束月份不能早于起始月份。"))
            start, end = datetime.date(last_month.year, 1, 1), last_month
        # This month and later are not due yet: counting them would only lower the rates.
        end = min(end, last_month)
        start = min(start, end)
        if len(months_between(start, end)) > MONTHS_SHOWN_AT_MOST:
            errors.append(_("一次最多查看 %(n)d 个月。") % {"n": MONTHS_SHOWN_AT_MOST})
            start = month_start(end.replace(year=end.year - 2) + datetime.timedelta(days=31))
        division = self.membership.scope_division
        code = request.GET.get("division")
        if code:
            division = division_get(self.scope, code)  # 404 outside scope
            if division.level not in (Level.CITY, Level.COUNTY):
                raise Http404(_("区划不存在"))
        figures = completeness(self.scope, division, start, end)
        months = [f"{month:%Y-%m}" for month in months_between(start, end)]
        rows = figures.children or [figures]
        counties = []
        if station_permissions.is_city_level(self.membership):
            counties = divisions_visible(self.scope).filter(
                level=Level.COUNTY, parent=self.membership.scope_division, retired_on__isnull=True
            )
        context = {
            "figures": figures,
            "division": division,
            "rows": [(row, [row.months.get(month) for month in months]) for row in rows],
            "months": months,
            "start": f"{start:%Y-%m}",
            "end": f"{end:%Y-%m}",
            "counties": counties,
            "errors": errors,
            "missing": figures.missing[:200],
        }
        return render(
            request, "supervision/completeness.html", context, status=400 if errors else 200
        )
