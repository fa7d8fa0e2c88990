"""Evaluation pages: the list, assigning one (the purchaser), the detail where the
evaluator submits and the purchaser accepts or returns, the report PDF."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from procurement import permissions, services
from procurement.forms import EvaluationAssignForm, EvaluationSubmitForm, ReasonForm
from procurement.models import ContractState, EvaluationStatus
from procurement.selectors import contracts_visible, evaluations_visible, organisations_visible
from stations.forms import add_other_errors, add_service_errors
from stations.scoping import ScopedView
from stations.validation import StateConflict, all_errors


class EvaluationListView(ScopedView):
    selector = staticmethod(evaluations_visible)
    capability = staticmethod(permissions.can_see_evaluations)

    def get(self, request):
        queryset = self.get_queryset().order_by("-period_end", "pk")
        wanted = request.GET.get("status")
        if wanted in EvaluationStatus.values:
            queryset = queryset.filter(status=wanted)
        context = {
            "evaluations": queryset[:500],
            "statuses": EvaluationStatus.choices,
            "can_assign": permissions.can_manage_contracts(self.membership),
        }
        return render(request, "procurement/evaluation_list.html", context)


class EvaluationAssignView(ScopedView):
    """The purchaser assigns an evaluation organisation to a contract and period."""

    selector = staticmethod(evaluations_visible)
    capability = staticmethod(permissions.can_manage_contracts)

    def form(self, request):
        contracts = [
            contract.pk
            for contract in contracts_visible(self.scope).exclude(state=ContractState.DRAFT)
            if permissions.can_manage_contract(self.membership, contract)
        ]
        kwargs = {
            "contracts": contracts_visible(self.scope).filter(pk__in=contracts).order_by("number"),
            "organisations": organisations_visible(self.scope).order_by("name"),
        }
        if request.method == "POST":
            return EvaluationAssignForm(request.POST, **kwargs)
        return EvaluationAssignForm(initial={"contract": request.GET.get("contract")}, **kwargs)

    def get(self, request):
        return render(request, "procurement/evaluation_form.html", {"form": self.form(request)})

    def post(self, request):
        form = self.form(request)
        valid = form.is_valid()
        values = {
            name: form.cleaned_data.get(name)
            for name in ("contract", "organisation", "period_start", "period_end")
        }
        if valid:
            try:
                evaluation = services.evaluation_assign(actor=self.membership, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已委托第三方评估。"))
                return redirect("procurement:evaluation-detail", pk=evaluation.pk)
        else:
            check = partial(services.evaluation_assign_check, actor=self.membership, **values)
            add_other_errors(form, all_errors(form.errors, check))
        return render(request, "procurement/evaluation_form.html", {"form": form}, status=400)


class EvaluationDetailView(ScopedView):
    """One evaluation; POST ``action`` submit (the evaluator), accept or return (purchaser)."""

    selector = staticmethod(evaluations_visible)
    capability = staticmethod(permissions.can_see_evaluations)

    def get(self, request, pk: int, submit_form=None, reason_form=None, status=200):
        evaluation = self.get_object()
        can_submit = permissions.can_submit_evaluation(
            self.membership, evaluation
        ) and evaluation.status in (EvaluationStatus.ASSIGNED, EvaluationStatus.RETURNED)
        can_review = (
            permissions.can_manage_contract(self.membership, evaluation.contract)
            and evaluation.status == EvaluationStatus.SUBMITTED
        )
        initial = {
            "evaluated_on": evaluation.evaluated_on,
            "score": evaluation.score,
            "grade": evaluation.grade,
            "findings": evaluation.findings,
        }
        context = {
            "evaluation": evaluation,
            "can_submit": can_submit,
            "can_review": can_review,
            "submit_form": submit_form or EvaluationSubmitForm(initial=initial),
            "reason_form": reason_form or ReasonForm(),
        }
        return render(request, "procurement/evaluation_detail.html", context, status=status)

    def post(self, request, pk: int):
        evaluation = self.get_object()
        action = request.POST.get("action")
        try:
            if action == "submit":
                return self.submit(request, evaluation)
            if action == "accept":
                services.evaluation_accept(actor=self.membership, evaluation=evaluation)
                messages.success(request, _("已采纳评估结果。"))
            elif action == "return":
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    return self.get(request, pk, reason_form=form, status=400)
                try:
                    services.evaluation_return(
                        actor=self.membership,
                        evaluation=evaluation,
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                    return self.get(request, pk, reason_form=form, status=400)
                messages.success(request, _("已退回评估机构。"))
            else:
                raise Http404
        except StateConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("procurement:evaluation-detail", pk=pk)
        return redirect("procurement:evaluation-detail", pk=pk)

    def submit(self, request, evaluation):
        if not permissions.can_submit_evaluation(self.membership, evaluation):
            raise PermissionDenied(_("只有受委托的评估机构可以提交评估结果。"))
        form = EvaluationSubmitForm(request.POST, request.FILES)
        valid = form.is_valid()
        values = {
            name: form.cleaned_data.get(name)
            for name in ("evaluated_on", "score", "grade", "findings", "report")
            if name in form.cleaned_data
        }
        if valid:
            try:
                services.evaluation_submit(actor=self.membership, evaluation=evaluation, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("评估结果已提交，等待采购人审核。"))
                return redirect("procurement:evaluation-detail", pk=evaluation.pk)
        else:
            check = partial(
                services.evaluation_submit_check,
                actor=self.membership,
                evaluation=evaluation,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.get(request, evaluation.pk, submit_form=form, status=400)


class EvaluationReportView(ScopedView):
    selector = staticmethod(evaluations_visible)
    capability = staticmethod(permissions.can_see_evaluations)

    def get(self, request, pk: int):
        evaluation = self.get_object()
        if not evaluation.report:
            raise Http404(_("没有上传评估报告。"))
        return FileResponse(
            evaluation.report.open("rb"),
            filename=f"evaluation-{evaluation.pk}.pdf",
            content_type="application/pdf",
        )
