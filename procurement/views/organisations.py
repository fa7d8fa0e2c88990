"""Pages of the procurement app: organisations (list, detail with history, register, edit)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import permissions, services
from procurement.apis import OrganisationFilter
from procurement.forms import OrganisationForm
from procurement.models import ContractStatus, Organisation, OrganisationKind
from procurement.organisation_import import (
    organisation_template,
    organisations_export,
    organisations_export_filename,
)
from procurement.selectors import contracts_visible, evaluations_visible, organisations_visible
from stations.forms import add_other_errors, add_service_errors
from stations.history import event_rows, history_entries
from stations.scoping import ScopedView
from stations.spreadsheets import xlsx_response
from stations.validation import all_errors
from stations.views.imports import ImportUploadView
from stations.widgets import scope_root


class OrganisationListView(ScopedView):
    """The tenant's organisations, searchable by name or USCC and filtered by kind."""

    selector = staticmethod(organisations_visible)
    capability = staticmethod(permissions.can_see_organisations)

    def get(self, request):
        filterset = OrganisationFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        page = Paginator(queryset.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
        context = {
            "filter": filterset,
            "page": page,
            "kinds": OrganisationKind.choices,
            "can_manage": permissions.can_manage_organisations(self.membership),
            "can_export": permissions.can_export_organisations(self.membership),
            "query": request.GET.urlencode(),
        }
        return render(request, "procurement/organisation_list.html", context)


class OrganisationDetailView(ScopedView):
    selector = staticmethod(organisations_visible)
    capability = staticmethod(permissions.can_see_organisations)

    def get(self, request, pk: int):
        organisation = self.get_object()
        events = Organisation.pgh_event_model.objects.filter(  # type: ignore[attr-defined]
            pgh_obj_id=organisation.pk
        ).select_related("pgh_context")
        today = timezone.localdate()
        contracts = list(
            contracts_visible(self.scope)
            .filter(organisation=organisation)
            .select_related("purchaser")
            .order_by("-start_on", "number")
        )
        for contract in contracts:
            contract.status_today = contract.status_on(today)  # type: ignore[attr-defined]
        context = {
            "organisation": organisation,
            "contracts": contracts,
            "statuses": dict(ContractStatus.choices),
            "evaluations": list(
                evaluations_visible(self.scope)
                .filter(Q(organisation=organisation) | Q(contract__organisation=organisation))
                .order_by("-period_end")
            ),
            "history": history_entries(event_rows(events), Organisation),
            "can_manage": permissions.can_manage_organisations(self.membership),
        }
        return render(request, "procurement/organisation_detail.html", context)


class OrganisationFormView(ScopedView):
    """Register an organisation (no pk) or change one; every problem at once."""

    selector = staticmethod(organisations_visible)
    capability = staticmethod(permissions.can_see_organisations)

    def dispatch_manage(self) -> None:
        if not permissions.can_manage_organisations(self.membership):
            raise PermissionDenied(_("您的角色不能登记或修改社会工作服务机构。"))

    def get(self, request, pk: int | None = None):
        organisation = self.get_object() if pk else None
        self.dispatch_manage()
        form = OrganisationForm(instance=organisation, root=scope_root(self.membership))
        return self.render_form(request, form, organisation)

    def post(self, request, pk: int | None = None):
        organisation = self.get_object() if pk else None
        self.dispatch_manage()
        form = OrganisationForm(
            request.POST,
            instance=Organisation.objects.get(pk=organisation.pk) if organisation else None,
            root=scope_root(self.membership),
        )
        valid = form.is_valid()
        values = {
            field: form.cleaned_data[field]
            for field in services.ORGANISATION_FIELDS
            if field in form.cleaned_data
        }
        if valid:
            try:
                if organisation is None:
                    saved = services.organisation_create(actor=self.membership, **values)
                else:
                    saved = services.organisation_update(
                        actor=self.membership, organisation=organisation, **values
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存：%(name)s") % {"name": saved.name})
                return redirect("procurement:organisation-detail", pk=saved.pk)
        else:
            check = partial(
                services.organisation_check,
                actor=self.membership,
                organisation=Organisation.objects.get(pk=organisation.pk) if organisation else None,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.render_form(request, form, organisation, status=400)

    def render_form(self, request, form, organisation, status=200):
        context = {"form": form, "organisation": organisation}
        return render(request, "procurement/organisation_form.html", context, status=status)


class OrganisationTemplateView(ScopedView):
    """The empty organisation import template."""

    capability = staticmethod(permissions.can_manage_organisations)

    def get(self, request):
        content = organisation_template(self.membership)
        return xlsx_response(content, f"{self.membership.tenant.code}-organisations-template.xlsx")


class OrganisationExportView(ScopedView):
    """The organisation list as filtered on the list page, as XLSX (it imports again)."""

    selector = staticmethod(organisations_visible)
    capability = staticmethod(permissions.can_export_organisations)

    def get(self, request):
        filterset = OrganisationFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        content = organisations_export(queryset.order_by("name", "pk"))
        return xlsx_response(content, organisations_export_filename(self.membership))


class OrganisationImportView(ImportUploadView):
    """Upload an organisation spreadsheet: new organisations, or changes keyed on USCC."""

    kind = "organisations"
    template_url = "procurement:organisation-import-template"
    capability = staticmethod(permissions.can_manage_organisations)
