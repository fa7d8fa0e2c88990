"""Facility pages: list with filters, detail with history, create, edit, status actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stations import permissions, selectors
from stations.divisions import Level
from stations.filters import FacilityFilter
from stations.forms import (
    FacilityCloseForm,
    FacilityCorrectForm,
    FacilityCreateForm,
    FacilityDetailsForm,
    FacilityOpenForm,
    FacilityRatingForm,
    StyledForm,
    add_other_errors,
    add_service_errors,
)
from stations.models import Facility, FacilityStatus
from stations.scoping import ScopedView
from stations.services import facilities as facility_services
from stations.validation import all_errors
from stations.widgets import scope_root

PAGE_SIZE = 50


def _counties(membership):
    return selectors.divisions_visible(membership).filter(
        level=Level.COUNTY, retired_on__isnull=True
    )


class FacilityListView(ScopedView):
    """Facilities in scope, filtered by county, level, status, stars, demonstration, 六有, text."""

    selector = staticmethod(selectors.facilities_visible)
    capability = staticmethod(permissions.can_see_facilities)

    def get(self, request):
        filterset = FacilityFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        page = Paginator(
            queryset.order_by("county_code", "division_id", "level", "pk"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "counties": list(_counties(self.scope)),
            "can_create": permissions.can_create_facilities(self.membership),
        }
        return render(request, "stations/facility_list.html", context)


class FacilityCreateView(ScopedView):
    """A new facility; the form's errors come from the same service as the API's."""

    capability = staticmethod(permissions.can_create_facilities)

    def get(self, request):
        initial = {
            "level": request.GET.get("level", "township_station"),
            "division": request.GET.get("division", ""),
        }
        return self.render_form(request, FacilityCreateForm(initial=initial, root=self.root))

    @property
    def root(self) -> str:
        return scope_root(self.membership)

    def post(self, request):
        form = FacilityCreateForm(request.POST, root=self.root)
        valid = form.is_valid()
        item = {
            "level": form.cleaned_data.get("level", ""),
            "division_code": form.cleaned_data.get("division", ""),
            **{
                field: form.cleaned_data[field]
                for field in ("status", "established_on", *facility_services.DETAIL_FIELDS)
                if field in form.cleaned_data
            },
        }
        if valid:
            try:
                facility = facility_services.facility_create(actor=self.membership, **item)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已创建：%(name)s") % {"name": facility.name})
                return redirect("stations:facility-detail", pk=facility.pk)
        else:
            # The fields that did parse are checked by the service too: every problem at once.
            check = partial(facility_services.facility_create_check, actor=self.membership, **item)
            add_other_errors(form, all_errors(form.errors, check))
        return self.render_form(request, form, status=400)

    def render_form(self, request, form, status=200):
        context = {"form": form, "creating": True}
        return render(request, "stations/facility_form.html", context, status=status)


class FacilityDetailView(ScopedView):
    """One facility: its details, 六有, operating periods, status log, ratings and history."""

    selector = staticmethod(selectors.facilities_visible)
    capability = staticmethod(permissions.can_see_facilities)

    def get(self, request, pk: int):
        return self.render_page(request, self.get_object())

    def render_page(self, request, facility: Facility, forms: dict | None = None, status=200):
        can_edit = permissions.can_edit_facility(self.membership, facility)
        forms = forms or {}
        context = {
            "facility": facility,
            "can_edit": can_edit,
            "periods": facility.periods.order_by("-started_on"),
            "status_changes": facility.status_changes.select_related("recorded_by").order_by(
                "-effective_on", "-recorded_at"
            ),
            "ratings": facility.ratings.order_by("-rated_on"),
            # Its history names every contract that covered it: the network's, not a contractor's.
            "history": selectors.facility_history(facility) if self.scope.network else None,
            "close_form": forms.get("close") or FacilityCloseForm(auto_id="close-%s"),
            "open_form": forms.get("open") or FacilityOpenForm(auto_id="open-%s"),
            "rating_form": forms.get("rate") or FacilityRatingForm(auto_id="rate-%s"),
            "correct_form": forms.get("correct") or self.correct_form(facility),
            "is_operating": facility.status == FacilityStatus.OPERATING,
        }
        return render(request, "stations/facility_detail.html", context, status=status)

    def correct_form(self, facility: Facility, data=None) -> FacilityCorrectForm:
        return FacilityCorrectForm(
            data, auto_id="correct-%s", facility=facility, root=scope_root(self.membership)
        )


class FacilityStatusView(FacilityDetailView):
    """POST actions on a facility: close (or suspend), open (or reopen), rate."""

    def get(self, request, pk: int):
        facility = self.get_object()  # 404 outside the scope, like every other page
        return redirect("stations:facility-detail", pk=facility.pk)

    def post(self, request, pk: int):
        facility = self.get_object()
        action = request.POST.get("action")
        form_classes = {
            "close": FacilityCloseForm,
            "open": FacilityOpenForm,
            "rate": FacilityRatingForm,
        }
        form: StyledForm
        if action == "correct":
            form = self.correct_form(facility, request.POST)
        elif action in form_classes:
            form = form_classes[action](request.POST, auto_id=f"{action}-%s")
        else:
            return redirect("stations:facility-detail", pk=pk)
        if form.is_valid():
            services: dict[str, Callable[..., object]] = {
                "close": facility_services.facility_close,
                "open": facility_services.facility_open,
                "rate": facility_services.facility_rate,
                "correct": self.correct,
            }
            try:
                services[action](actor=self.membership, facility=facility, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存。"))
                return redirect("stations:facility-detail", pk=pk)
        return self.render_page(request, facility, forms={action: form}, status=400)

    @staticmethod
    def correct(*, division: str, level: str, **values) -> object:
        return facility_services.facility_correct(
            division_code=division or None, level=level or None, **values
        )


class FacilityEditView(ScopedView):
    """Change a facility's details."""

    selector = staticmethod(selectors.facilities_visible)
    capability = staticmethod(permissions.can_see_network)

    def dispatch_edit(self, facility: Facility) -> None:
        if not permissions.can_edit_facility(self.membership, facility):
            raise PermissionDenied(_("您的角色不能修改该站点。"))

    def get(self, request, pk: int):
        facility = self.get_object()
        self.dispatch_edit(facility)
        return render(
            request,
            "stations/facility_form.html",
            {"form": FacilityDetailsForm(instance=facility), "facility": facility},
        )

    def post(self, request, pk: int):
        facility = self.get_object()
        self.dispatch_edit(facility)
        form = FacilityDetailsForm(request.POST, instance=Facility.objects.get(pk=facility.pk))
        valid = form.is_valid()
        values = {
            field: form.cleaned_data[field]
            for field in facility_services.DETAIL_FIELDS
            if field in form.cleaned_data
        }
        if valid:
            try:
                facility_services.facility_update(
                    actor=self.membership, facility=facility, **values
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("stations:facility-detail", pk=pk)
        else:
            check = partial(
                facility_services.facility_update_check,
                actor=self.membership,
                facility=Facility.objects.get(pk=facility.pk),
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        context = {"form": form, "facility": facility}
        return render(request, "stations/facility_form.html", context, status=400)
