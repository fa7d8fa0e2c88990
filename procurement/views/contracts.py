"""Contract pages: list with filters, detail (coverage, funding, clauses, pay, document,
evaluations, history), record and change with the facility picker, terminate, the PDF."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import permissions, services
from procurement.apis.contracts import ContractFilter
from procurement.forms import ContractForm, TerminateForm
from procurement.models import Contract, ContractClause, ContractKind, ContractStatus, PayLevel
from procurement.selectors import (
    ENDING_SOON_DAYS,
    contract_detail,
    contract_history,
    contracts_visible,
    evaluations_visible,
    facilities_contractable,
    organisations_visible,
)
from stations.forms import add_other_errors, add_service_errors
from stations.scoping import ScopedView
from stations.selectors import divisions_visible
from stations.validation import all_errors
from stations.widgets import scope_root


class ContractListView(ScopedView):
    """Contracts in scope, filtered by county, organisation, status, kind, ending soon."""

    selector = staticmethod(contracts_visible)
    capability = staticmethod(permissions.can_see_contracts)

    def get(self, request):
        filterset = ContractFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        queryset = queryset.distinct().order_by("-start_on", "number")
        page = Paginator(queryset, 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for contract in page:
            contract.status_today = contract.status_on(today)
        context = {
            "filter": filterset,
            "page": page,
            "statuses": ContractStatus.choices,
            "kinds": ContractKind.choices,
            "counties": divisions_visible(self.scope).filter(level="county").order_by("code")
            if self.scope.network and not self.scope.county_code
            else [],
            "organisations": organisations_visible(self.scope).order_by("name")
            if self.scope.network
            else [],
            "ending_days": ENDING_SOON_DAYS,
            "can_manage": permissions.can_manage_contracts(self.membership),
        }
        return render(request, "procurement/contract_list.html", context)


class ContractDetailView(ScopedView):
    selector = staticmethod(contract_detail)
    capability = staticmethod(permissions.can_see_contracts)

    def get(self, request, pk: int, terminate_form=None, status=200):
        contract = self.get_object()
        today = timezone.localdate()
        coverage = list(contract.coverage.all())
        # A city contract shows a county officer the stations of its own county only.
        hidden = 0
        if self.scope.county_code:
            shown = [row for row in coverage if row.facility.county_code == self.scope.county_code]
            hidden, coverage = len(coverage) - len(shown), shown
        pay = [
            (PayLevel.UNLICENSED.label, contract.pay_unlicensed),
            (PayLevel.ASSISTANT.label, contract.pay_assistant),
            (PayLevel.SOCIAL_WORKER.label, contract.pay_social_worker),
        ]
        can_manage = permissions.can_manage_contract(self.membership, contract)
        context = {
            "contract": contract,
            "status": contract.status_on(today),
            "status_label": ContractStatus(contract.status_on(today)).label,
            "coverage": coverage,
            "promised_workers": sum(row.stationed_workers for row in coverage),
            "funding": list(contract.funding.all()),
            "pay": pay,
            "clauses": [
                {
                    "label": label,
                    "stated": code in contract.clauses,
                    "where": contract.clauses.get(code),
                }
                for code, label in ContractClause.choices
            ],
            "evaluations": evaluations_visible(self.scope).filter(contract=contract),
            "other_counties": hidden,
            "history": contract_history(contract) if self.scope.network and not hidden else [],
            "can_manage": can_manage,
            "can_terminate": can_manage and contract.state == "signed",
            "terminate_form": terminate_form or TerminateForm(),
        }
        return render(request, "procurement/contract_detail.html", context, status=status)


class ContractTerminateView(ContractDetailView):
    def post(self, request, pk: int):
        contract = self.get_object()
        form = TerminateForm(request.POST)
        valid = form.is_valid()
        values = {"on": form.cleaned_data.get("on"), "reason": form.cleaned_data.get("reason", "")}
        if valid:
            try:
                services.contract_terminate(actor=self.membership, contract=contract, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("合同已提前终止。"))
                return redirect("procurement:contract-detail", pk=contract.pk)
        else:
            check = partial(
                services.contract_terminate_check,
                actor=self.membership,
                contract=contract,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.get(request, pk, terminate_form=form, status=400)


class ContractDocumentView(ScopedView):
    """The signed contract (PDF) of a contract in scope."""

    selector = staticmethod(contracts_visible)
    capability = staticmethod(permissions.can_see_contracts)

    def get(self, request, pk: int):
        contract = self.get_object()
        if not contract.document:
            raise Http404(_("该合同没有上传合同文本。"))
        return FileResponse(
            contract.document.open("rb"),
            as_attachment=False,
            filename=f"{contract.number}.pdf",
            content_type="application/pdf",
        )


class ContractFormView(ScopedView):
    """Record a contract (no pk) or change one; the facility picker lists the stations and
    county centres in scope; every problem at once."""

    selector = staticmethod(contract_detail)
    capability = staticmethod(permissions.can_see_contracts)

    def form(self, request, contract):
        if not (
            permissions.can_manage_contract(self.membership, contract)
            if contract is not None
            else permissions.can_manage_contracts(self.membership)
        ):
            raise PermissionDenied(_("只有采购人可以登记或修改合同。"))
        kwargs = {
            "organisations": organisations_visible(self.scope).order_by("name"),
            "eligible": facilities_contractable(self.scope),
            "contract": contract,
            "root": scope_root(self.membership),
        }
        if request.method == "POST":
            return ContractForm(request.POST, request.FILES, **kwargs)
        initial = {"organisation": request.GET.get("organisation")}
        if contract is None and self.scope.county_code:
            initial["purchaser"] = self.scope.county_code
        return ContractForm(initial=initial, **kwargs)

    def get(self, request, pk: int | None = None):
        contract = self.get_object() if pk else None
        return self.render_form(request, self.form(request, contract), contract)

    def post(self, request, pk: int | None = None):
        contract = self.get_object() if pk else None
        form = self.form(request, contract)
        valid = form.is_valid()
        values = form.service_values()
        if valid:
            try:
                if contract is None:
                    saved = services.contract_create(actor=self.membership, **values)
                else:
                    saved = services.contract_update(
                        actor=self.membership, contract=contract, **values
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存合同：%(number)s") % {"number": saved.number})
                return redirect("procurement:contract-detail", pk=saved.pk)
        else:
            check = partial(
                services.contract_check,
                actor=self.membership,
                contract=Contract.objects.get(pk=contract.pk) if contract else None,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.render_form(request, form, contract, status=400)

    def render_form(self, request, form, contract, status=200):
        context = {"form": form, "contract": contract}
        return render(request, "procurement/contract_form.html", context, status=status)
