"""Pages of the workforce app: social workers (list with masked ID numbers, detail with the
logged reveal, register and edit)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import ContractState
from procurement.selectors import contracts_visible, organisations_visible
from stations import permissions as station_permissions
from stations.divisions import Level
from stations.forms import AsOfForm, add_other_errors, add_service_errors
from stations.history import event_rows, history_entries
from stations.models import Facility, FacilityLevel
from stations.scoping import ScopedView
from stations.selectors import division_get, divisions_visible, facilities_visible
from stations.spreadsheets import xlsx_response
from stations.validation import all_errors, record_id
from stations.views.imports import ImportUploadView
from workforce import permissions, services
from workforce.apis import SocialWorkerFilter
from workforce.assignments import assignment_check, assignment_create
from workforce.credentials import (
    credential_check,
    credential_create,
    level_on,
    registration_check,
    registration_create,
    registrations_with_training,
    status_on,
)
from workforce.forms import (
    AssignmentForm,
    CredentialForm,
    PopulationForm,
    RegistrationForm,
    SocialWorkerForm,
    TrainingRecordForm,
)
from workforce.models import (
    PLAN_SPECIALTIES,
    CredentialLevel,
    CredentialStatus,
    SocialWorker,
    Specialty,
    Training,
    WorkerStatus,
)
from workforce.national import CONTINUING_EDUCATION_HOURS
from workforce.population import population_check, population_set
from workforce.population_import import (
    population_export,
    population_export_filename,
    population_template,
)
from workforce.roster_import import roster_export, roster_export_filename, roster_template
from workforce.selectors import (
    assignments_visible,
    credentials_visible,
    id_number_reveals,
    population_visible,
    social_workers_visible,
    trainings_visible,
    with_credential_state,
)
from workforce.summary import EXPIRING_WITHIN_DAYS, workforce_summary, workforce_trend
from workforce.trainings import training_check, training_create


def form_saved(form, valid: bool, save, check) -> bool:
    """Run ``save()`` for a valid form (True when it wrote), else ``check()``, the service's
    own check of the fields that did parse, so the form shows every problem at once."""
    if valid:
        try:
            save()
        except ValidationError as error:
            add_service_errors(form, error)
            return False
        return True
    add_other_errors(form, all_errors(form.errors, check))
    return False


class SocialWorkerPageMixin:
    """The assignment form's choices: facilities and contracts the actor may use."""

    def assignment_form(self, data=None) -> AssignmentForm:
        scope = self.scope  # type: ignore[attr-defined]
        contracts = (
            contracts_visible(scope).exclude(state=ContractState.DRAFT).order_by("-start_on")
        )
        if permissions.keeps_own_organisation_only(scope.role):
            facilities = Facility.objects.filter(
                tenant_id=scope.tenant_id, contract_rows__contract__in=contracts
            ).distinct()
        else:
            facilities = facilities_visible(scope)
        return AssignmentForm(
            data,
            facilities=facilities.order_by("county_code", "division_id"),
            contracts=contracts,
            auto_id="assignment-%s",
        )


class SocialWorkerListView(ScopedView):
    """Social workers in scope, ID numbers and phones masked, filtered by employer, status."""

    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def get(self, request):
        filterset = SocialWorkerFilter(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        queryset = with_credential_state(queryset, timezone.localdate())
        page = Paginator(queryset.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        root = self.membership.scope_division
        context = {
            "page": page,
            "statuses": WorkerStatus.choices,
            "levels": CredentialLevel.choices,
            "credential_statuses": CredentialStatus.choices,
            "specialties": Specialty.choices,
            "organisations": organisations_visible(self.scope).order_by("name"),
            "counties": (
                list(
                    divisions_visible(self.scope)
                    .filter(level=Level.COUNTY, parent=root, retired_on__isnull=True)
                    .order_by("code")
                )
                if self.scope.network and root.level == Level.CITY
                else []
            ),
            "stations": list(
                facilities_visible(self.scope)
                .filter(level=FacilityLevel.TOWNSHIP_STATION)
                .order_by("county_code", "division_id")
                .values("pk", "name")
            ),
            "can_manage": permissions.can_manage_social_workers(self.membership),
            "query": query.urlencode(),
        }
        return render(request, "workforce/worker_list.html", context)


class SocialWorkerDetailView(SocialWorkerPageMixin, ScopedView):
    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def narrow(self, queryset):
        # The year's training hours come with the worker: one query fewer on the page.
        year = timezone.localdate().year
        hours = (
            Training.objects.filter(worker=OuterRef("pk"), held_on__year=year)
            .values("worker")
            .annotate(total=Sum("hours"))
            .values("total")
        )
        return queryset.annotate(training_hours_this_year=Coalesce(Subquery(hours), Decimal(0)))

    def get(self, request, pk: int, revealed: str | None = None, forms=None, status=200):
        worker = self.get_object()
        forms = forms or {}
        today = timezone.localdate()
        credentials = list(
            credentials_visible(self.scope)
            .filter(worker=worker)
            .prefetch_related(None)  # the registrations, with the training of their periods
            .prefetch_related(Prefetch("registrations", queryset=registrations_with_training()))
            .order_by("passed_on", "pk")
        )
        trainings = list(trainings_visible(self.scope).filter(worker=worker).order_by("-held_on"))
        for credential in credentials:
            credential.status_today = status_on(  # type: ignore[attr-defined]
                credential.registrations.all(), today
            )
            # Continuing education of each period (民发〔2009〕123号 asks 72 h or 90 h).
            for registration in credential.registrations.all():
                registration.required = CONTINUING_EDUCATION_HOURS[  # type: ignore[attr-defined]
                    credential.level
                ].value
        events = SocialWorker.pgh_event_model.objects.filter(  # type: ignore[attr-defined]
            pgh_obj_id=worker.pk
        ).select_related("pgh_context")
        can_reveal = permissions.can_reveal_id_numbers(self.membership)
        context = {
            "worker": worker,
            "revealed": revealed,
            "can_reveal": can_reveal,
            "reveals": list(id_number_reveals(self.scope, worker)[:20]) if can_reveal else [],
            "can_manage": permissions.can_manage_social_workers(self.membership),
            "history": history_entries(event_rows(events), SocialWorker),
            "credentials": credentials,
            "level": level_on(credentials, today),
            "statuses": dict(CredentialStatus.choices),
            "levels": CredentialLevel.choices,
            "credential_form": forms.get("credential") or CredentialForm(auto_id="credential-%s"),
            "registration_form": forms.get("registration")
            or RegistrationForm(auto_id="registration-%s"),
            "failed_credential": forms.get("credential_id"),
            "specialty_labels": Specialty.choices,
            "assignments": list(
                assignments_visible(self.scope).filter(worker=worker).order_by("-started_on")
            ),
            "assignment_form": forms.get("assignment") or self.assignment_form(),
            "trainings": trainings[:50],
            "training_hours_this_year": worker.training_hours_this_year,
            "training_form": forms.get("training") or TrainingRecordForm(auto_id="training-%s"),
        }
        return render(request, "workforce/worker_detail.html", context, status=status)


class RevealIdView(SocialWorkerDetailView):
    """POST: the page again with the full ID number shown once, and the reveal logged."""

    def post(self, request, pk: int):
        worker = self.get_object()
        number = services.id_number_reveal(actor=self.membership, worker=worker)
        response = self.get(request, pk, revealed=number)
        response["Cache-Control"] = "no-store"  # the number must not stay in a cache
        return response


class CredentialsView(SocialWorkerDetailView):
    """POST ``action`` credential (record a certificate) or registration (register one)."""

    def post(self, request, pk: int):
        worker = self.get_object()
        if not permissions.can_manage_social_workers(self.membership):
            raise PermissionDenied(_("您的角色不能登记社工的证书。"))
        if request.POST.get("action") == "registration":
            return self.register(request, worker)
        form = CredentialForm(request.POST, auto_id="credential-%s")
        valid = form.is_valid()
        values = dict(form.cleaned_data)
        scoped = {"actor": self.membership, "worker": worker, **values}
        if form_saved(form, valid, partial(credential_create, **scoped),
                      partial(credential_check, **scoped)):  # fmt: skip
            messages.success(request, _("已登记证书。"))
            return redirect("workforce:worker-detail", pk=pk)
        return self.get(request, pk, forms={"credential": form}, status=400)

    def register(self, request, worker):
        form = RegistrationForm(request.POST, auto_id="registration-%s")
        credential = None
        key = record_id(request.POST.get("credential"))
        if key is not None:
            credential = credentials_visible(self.scope).filter(worker=worker, pk=key).first()
        if credential is None:
            raise Http404(_("证书不存在。"))
        valid = form.is_valid()
        values = {
            "registered_on": form.cleaned_data.get("registered_on"),
            "continuing_education_hours": form.cleaned_data.get("continuing_education_hours") or 0,
        }
        scoped = {"actor": self.membership, "credential": credential, **values}
        if form_saved(form, valid, partial(registration_create, **scoped),
                      partial(registration_check, **scoped)):  # fmt: skip
            messages.success(request, _("已记录证书登记。"))
            return redirect("workforce:worker-detail", pk=worker.pk)
        forms = {"registration": form, "credential_id": credential.pk}
        return self.get(request, worker.pk, forms=forms, status=400)


class AssignmentsView(SocialWorkerDetailView):
    """POST: station the worker (see workforce.assignments); every problem at once."""

    def post(self, request, pk: int):
        worker = self.get_object()
        if not permissions.can_manage_social_workers(self.membership):
            raise PermissionDenied(_("您的角色不能安排社工驻站。"))
        form = self.assignment_form(request.POST)
        valid = form.is_valid()
        values = form.service_values()
        scoped = {"actor": self.membership, "worker": worker, **values}
        if form_saved(form, valid, partial(assignment_create, **scoped),
                      partial(assignment_check, **scoped)):  # fmt: skip
            messages.success(request, _("已保存驻站安排。"))
            return redirect("workforce:worker-detail", pk=pk)
        return self.get(request, pk, forms={"assignment": form}, status=400)


class TrainingsView(SocialWorkerDetailView):
    """POST: record a training of the worker; every problem at once."""

    def post(self, request, pk: int):
        worker = self.get_object()
        if not permissions.can_manage_social_workers(self.membership):
            raise PermissionDenied(_("您的角色不能记录培训。"))
        form = TrainingRecordForm(request.POST, auto_id="training-%s")
        valid = form.is_valid()
        values = dict(form.cleaned_data)
        scoped = {"actor": self.membership, "worker": worker, **values}
        if form_saved(form, valid, partial(training_create, **scoped),
                      partial(training_check, **scoped)):  # fmt: skip
            messages.success(request, _("已记录培训。"))
            return redirect("workforce:worker-detail", pk=pk)
        return self.get(request, pk, forms={"training": form}, status=400)


class SocialWorkerFormView(ScopedView):
    """Register a social worker (no pk) or change one; every problem at once."""

    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def form(self, request, worker):
        if not permissions.can_manage_social_workers(self.membership):
            raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))
        organisations = organisations_visible(self.scope).order_by("name")
        if request.method == "POST":
            return SocialWorkerForm(request.POST, organisations=organisations, worker=worker)
        return SocialWorkerForm(organisations=organisations, worker=worker)

    def get(self, request, pk: int | None = None):
        worker = self.get_object() if pk else None
        return self.render_form(request, self.form(request, worker), worker)

    def post(self, request, pk: int | None = None):
        worker = self.get_object() if pk else None
        form = self.form(request, worker)
        valid = form.is_valid()
        values = (
            form.service_values()
            if valid
            else {
                name: value for name, value in form.cleaned_data.items() if value not in (None, "")
            }
        )
        if not valid and "employer" in values:
            values["employer"] = values["employer"].pk
        if valid:
            try:
                if worker is None:
                    saved = services.social_worker_create(actor=self.membership, **values)
                else:
                    saved = services.social_worker_update(
                        actor=self.membership, worker=worker, **values
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存：%(name)s") % {"name": saved.name})
                return redirect("workforce:worker-detail", pk=saved.pk)
        else:
            check = partial(
                services.social_worker_check,
                actor=self.membership,
                worker=SocialWorker.objects.get(pk=worker.pk) if worker else None,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.render_form(request, form, worker, status=400)

    def render_form(self, request, form, worker, status=200):
        context = {"form": form, "worker": worker}
        return render(request, "workforce/worker_form.html", context, status=status)


class WorkforceView(ScopedView):
    """The workforce of the city or a county on a day (plan 一(三)2): licensed totals by
    level, ‰ density, growth, exam passes, specialty shares, townships without a licensed
    worker, registrations to renew; licensed totals by year against the plan's path and
    density by county, as charts with the same figures in tables. City roles pick a
    county; a county officer sees its own."""

    capability = staticmethod(station_permissions.can_see_network)

    def get(self, request):
        root = self.membership.scope_division
        division = root
        code = request.GET.get("division", "").strip()
        errors = []
        if code:
            division = division_get(self.scope, code, counting=False)  # 404 outside the scope
            if division.level not in (Level.CITY, Level.COUNTY):
                errors.append(_("请选择市或县（市、区）。"))
                division = root
        form = AsOfForm(request.GET or None)
        as_of = form.cleaned_data["as_of"] if form.is_valid() else timezone.localdate()
        if form.is_bound and not form.is_valid():
            errors.extend(message for messages_ in form.errors.values() for message in messages_)
        counties = list(
            divisions_visible(self.scope)
            .filter(level=Level.COUNTY, parent=root)
            .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=as_of))
            .order_by("code")
        )
        shown = [division] if division.level == Level.COUNTY else counties
        summary = workforce_summary(self.scope, division, as_of)
        trend = workforce_trend(self.scope, division, as_of, shown)
        context = {
            "division": division,
            "as_of": as_of,
            "today": timezone.localdate(),
            "form": form if request.GET else AsOfForm(initial={"as_of": as_of}),
            "counties": counties if root.level == Level.CITY else [],
            "summary": summary,
            "trend": trend,
            "levels": [
                (CredentialLevel(level).label, count) for level, count in summary.by_level.items()
            ],
            "specialties": [
                (Specialty(code).label, share, code in PLAN_SPECIALTIES)
                for code, share in summary.specialties.items()
            ],
            "expiring_within": EXPIRING_WITHIN_DAYS,
            "errors": errors,
            "chart_data": {
                "years": [point.year for point in trend.points],
                "licensed": [point.licensed for point in trend.points],
                "plan": [
                    round(point.plan) if point.plan is not None else None for point in trend.points
                ],
                "counties": [row.division.name for row in trend.counties],
                "density": [
                    round(row.per_thousand, 2) if row.per_thousand is not None else None
                    for row in trend.counties
                ],
                "labels": {
                    "licensed": _("持证社工（人）"),
                    "plan": _("规划路径（人）"),
                    "density": _("每千人持证社工（‰）"),
                },
            },
        }
        return render(request, "workforce/workforce.html", context, status=400 if errors else 200)


class RosterTemplateView(ScopedView):
    """The empty roster template (XLSX) with the organisations the user may name."""

    capability = staticmethod(permissions.can_manage_social_workers)

    def get(self, request):
        content = roster_template(self.membership)
        return xlsx_response(content, f"{self.membership.tenant.code}-social-workers-template.xlsx")


class RosterExportView(ScopedView):
    """The worker list as filtered on the list page, as XLSX: ID numbers and phones masked,
    each worker's highest credential; the file imports again."""

    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def get(self, request):
        filterset = SocialWorkerFilter(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        content = roster_export(queryset.order_by("name", "pk"))
        return xlsx_response(content, roster_export_filename(self.membership))


class RosterImportView(ImportUploadView):
    """Upload a roster: new workers, or changes keyed on the ID number, with credentials."""

    kind = "social_workers"
    template_url = "workforce:worker-import-template"
    capability = staticmethod(permissions.can_manage_social_workers)


class PopulationView(ScopedView):
    """The city's and its counties' population by year with its source (the denominator of
    the ‰ density); a city admin sets a figure here or imports them from Excel."""

    selector = staticmethod(population_visible)
    capability = staticmethod(station_permissions.can_see_network)

    def divisions(self):
        root = self.membership.scope_division
        counties = divisions_visible(self.scope).filter(
            level=Level.COUNTY, parent=root, retired_on__isnull=True
        )
        return [root, *counties.order_by("code")]

    def get(self, request, form=None, status=200):
        manage = permissions.can_manage_population(self.membership)
        rows = self.get_queryset().order_by("division_id", "-year")
        context = {
            "rows": rows,
            "can_manage": manage,
            "form": (form or PopulationForm(divisions=self.divisions(), auto_id="population-%s"))
            if manage
            else None,
        }
        return render(request, "workforce/population.html", context, status=status)

    def post(self, request):
        if not permissions.can_manage_population(self.membership):
            raise PermissionDenied(_("只有市级管理员可以登记人口数。"))
        form = PopulationForm(request.POST, divisions=self.divisions(), auto_id="population-%s")
        valid = form.is_valid()
        values = {name: form.cleaned_data.get(name) for name in form.fields}
        given = {name: value if value is not None else "" for name, value in values.items()}
        if form_saved(form, valid, partial(population_set, actor=self.membership, **values),
                      partial(population_check, actor=self.membership, **given)):  # fmt: skip
            messages.success(request, _("已登记人口数。"))
            return redirect("workforce:population")
        return self.get(request, form=form, status=400)


class PopulationTemplateView(ScopedView):
    capability = staticmethod(permissions.can_manage_population)

    def get(self, request):
        content = population_template(self.membership)
        return xlsx_response(content, f"{self.membership.tenant.code}-population-template.xlsx")


class PopulationExportView(ScopedView):
    """The population figures in scope as XLSX (they import again)."""

    selector = staticmethod(population_visible)
    capability = staticmethod(station_permissions.can_see_network)

    def get(self, request):
        content = population_export(self.get_queryset())
        return xlsx_response(content, population_export_filename(self.membership))


class PopulationImportView(ImportUploadView):
    """Upload population figures (city admins), keyed on division and year."""

    kind = "population"
    template_url = "workforce:population-import-template"
    capability = staticmethod(permissions.can_manage_population)
