"""Writes of third-party evaluations (第三方评估): the purchaser assigns an evaluation
organisation to a contract and period, the evaluator submits score, grade, findings and
report, the purchaser accepts it or returns it with a reason.

An organisation holding a station-operation contract of the tenant on the days concerned
may not evaluate (plan 二(三)3, policy ``evaluator_independence``): this is refused at
assignment, because the plan forbids the assignment itself.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement import permissions
from procurement.models import (
    Contract,
    ContractFacility,
    ContractKind,
    ContractState,
    Evaluation,
    EvaluationGrade,
    EvaluationStatus,
    Organisation,
)
from stations.history import register_actions
from stations.models import Membership
from stations.policy import PolicyMissing
from stations.selectors import policy_value
from stations.services.history import acting
from stations.validation import StateConflict, date_problem, pdf_problems, record_id, sha256_of

INDEPENDENCE_CLAUSE = "二(三)3"

register_actions(
    {
        "evaluation_assign": gettext_lazy("委托了第三方评估"),
        "evaluation_submit": gettext_lazy("提交了评估结果"),
        "evaluation_accept": gettext_lazy("采纳了评估结果"),
        "evaluation_return": gettext_lazy("退回了评估结果"),
    }
)


def station_contracts_held(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> list[str]:
    """Numbers of the tenant's station-operation contracts ``organisation`` holds live on any
    day from ``start`` to ``end``."""
    return list(
        ContractFacility.objects.filter(
            tenant_id=organisation.tenant_id,
            contract__organisation=organisation,
            kind=ContractKind.STATION_OPERATION,
            live_from__lte=end,
            live_until__gte=start,
        )
        .order_by("contract__number")
        .values_list("contract__number", flat=True)
        .distinct()
    )


def evaluation_assign_check(
    *,
    actor: Membership,
    contract: Contract | None,
    organisation: Organisation | int | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> Evaluation:
    """The evaluation to assign, unsaved. Raises PermissionDenied (not the contract's
    purchaser) or ValidationError with every problem: a draft contract, a period outside
    the contract's term or ending before it starts, an unknown organisation, the contract's
    own supplier, or an organisation holding a station contract from the period's start to
    today while policy ``evaluator_independence`` holds (clause 二(三)3)."""
    errors: dict[str, list] = {}
    if contract is None:
        errors.setdefault("contract", []).append(_("请选择被评估的合同。"))
    elif not permissions.can_manage_contract(actor, contract):
        raise PermissionDenied(_("只有合同的采购人可以委托评估。"))
    elif contract.state == ContractState.DRAFT:
        errors.setdefault("contract", []).append(_("草稿合同尚未签订，不能评估。"))
    if isinstance(organisation, Organisation):
        evaluator = organisation if organisation.tenant_id == actor.tenant_id else None
    else:
        key = record_id(organisation) or 0
        evaluator = Organisation.objects.filter(tenant_id=actor.tenant_id, pk=key).first()
    if evaluator is None:
        errors.setdefault("organisation", []).append(_("请选择本市登记的评估机构。"))
    for field, day in (("period_start", period_start), ("period_end", period_end)):
        if day is None:
            errors.setdefault(field, []).append(_("请填写日期。"))
        elif date_problem(day, future=True):
            errors.setdefault(field, []).append(date_problem(day, future=True))
    if period_start and period_end and period_end < period_start:
        errors.setdefault("period_end", []).append(_("评估期止不能早于评估期起。"))
    outside_term = (
        contract is not None
        and period_start
        and period_end
        and "period_end" not in errors
        and (period_start < contract.start_on or period_end > contract.live_until)
    )
    if outside_term:
        assert contract is not None
        errors.setdefault("period_start", []).append(
            _("评估期须在合同履行期 %(start)s 至 %(end)s 之内。")
            % {"start": contract.start_on, "end": contract.live_until}
        )
    if evaluator is not None and contract is not None:
        if evaluator.pk == contract.organisation_id:
            errors.setdefault("organisation", []).append(_("承接机构不能评估自己承接的合同。"))
        elif period_start is not None:
            today = timezone.localdate()
            try:
                independent = bool(policy_value(actor, "evaluator_independence", today))
            except PolicyMissing as error:
                independent = False
                errors.setdefault("organisation", []).append(str(error))
            held = (
                station_contracts_held(
                    evaluator, min(period_start, today), max(period_end or today, today)
                )
                if independent
                else []
            )
            if held:
                errors.setdefault("organisation", []).append(
                    _(
                        "%(name)s承接社工站运营合同（%(numbers)s），不能担任第三方评估机构"
                        "（方案 %(clause)s）。"
                    )
                    % {
                        "name": evaluator.name,
                        "numbers": _("、").join(held),
                        "clause": INDEPENDENCE_CLAUSE,
                    }
                )
    if errors:
        raise ValidationError(errors)
    assert contract is not None and evaluator is not None
    assert period_start is not None and period_end is not None
    return Evaluation(
        tenant_id=actor.tenant_id,
        contract=contract,
        organisation=evaluator,
        period_start=period_start,
        period_end=period_end,
    )


def evaluation_assign(
    *,
    actor: Membership,
    contract: Contract | None,
    organisation: Organisation | int | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> Evaluation:
    """Assign an evaluation organisation to a contract and period (see the check)."""
    with acting(actor.user, action="evaluation_assign", tenant=actor.tenant.code):
        evaluation = evaluation_assign_check(
            actor=actor,
            contract=contract,
            organisation=organisation,
            period_start=period_start,
            period_end=period_end,
        )
        evaluation.save()
    return evaluation


def evaluation_submit_check(*, actor: Membership, evaluation: Evaluation, **values: Any) -> None:
    """Why the evaluator cannot submit ``values`` (``evaluated_on``, ``score`` 0–100 with
    one decimal, ``grade`` an EvaluationGrade code, ``findings``, ``report`` an uploaded
    PDF, required unless one was submitted before). Raises PermissionDenied (not its
    evaluator), StateConflict (already submitted or accepted) or ValidationError."""
    if not permissions.can_submit_evaluation(actor, evaluation):
        raise PermissionDenied(_("只有受委托的评估机构可以提交评估结果。"))
    if evaluation.status not in (EvaluationStatus.ASSIGNED, EvaluationStatus.RETURNED):
        raise StateConflict(
            _("该评估%(status)s，不能再提交。") % {"status": evaluation.get_status_display()}
        )
    errors: dict[str, list] = {}
    day = values.get("evaluated_on")
    if day is None:
        errors.setdefault("evaluated_on", []).append(_("请填写评估日期。"))
    elif date_problem(day):
        errors.setdefault("evaluated_on", []).append(date_problem(day))
    elif day < evaluation.period_start:
        errors.setdefault("evaluated_on", []).append(
            _("评估日期不能早于评估期起 %(day)s。") % {"day": evaluation.period_start}
        )
    try:
        score = Decimal(str(values.get("score"))) if values.get("score") not in (None, "") else None
    except InvalidOperation:
        score = Decimal("-1")
    if score is None:
        errors.setdefault("score", []).append(_("请填写评估得分。"))
    elif not (Decimal(0) <= score <= Decimal(100)) or score != score.quantize(Decimal("0.1")):
        errors.setdefault("score", []).append(_("评估得分须为 0–100，最多一位小数。"))
    if values.get("grade") not in EvaluationGrade.values:
        errors.setdefault("grade", []).append(_("请选择评估等级。"))
    if len(str(values.get("findings") or "")) > 5000:
        errors.setdefault("findings", []).append(_("评估意见不能超过 5000 字。"))
    report = values.get("report")
    if report is not None:
        problems = pdf_problems(report, max_mb=settings.PDF_UPLOAD_MAX_MB)
        if problems:
            errors.setdefault("report", []).extend(problems)
    elif not evaluation.report:
        errors.setdefault("report", []).append(_("请上传评估报告（PDF）。"))
    if errors:
        raise ValidationError(errors)


def evaluation_submit(*, actor: Membership, evaluation: Evaluation, **values: Any) -> Evaluation:
    """The evaluator submits its result (see the check); the purchaser then reviews it."""
    with acting(actor.user, action="evaluation_submit", tenant=actor.tenant.code):
        fresh = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
        evaluation_submit_check(actor=actor, evaluation=fresh, **values)
        fresh.evaluated_on = values["evaluated_on"]
        fresh.score = Decimal(str(values["score"]))
        fresh.grade = values["grade"]
        fresh.findings = str(values.get("findings") or "").strip()
        report = values.get("report")
        if report is not None:
            fresh.report_sha256 = sha256_of(report)
            fresh.report.save(f"evaluation-{fresh.pk}.pdf", report, save=False)
        fresh.status = EvaluationStatus.SUBMITTED
        fresh.submitted_at = timezone.now()
        fresh.return_reason = ""
        fresh.save()
    return fresh


def _review(actor: Membership, evaluation: Evaluation, action: str, reason: str = "") -> Evaluation:
    with acting(actor.user, action=f"evaluation_{action}", tenant=actor.tenant.code, reason=reason):
        fresh = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("contract")
            .get(pk=evaluation.pk)
        )
        if not permissions.can_manage_contract(actor, fresh.contract):
            raise PermissionDenied(_("只有合同的采购人可以审核评估结果。"))
        if fresh.status != EvaluationStatus.SUBMITTED:
            message = (
                _("该评估当前为“%(status)s”，不能采纳。")
                if action == "accept"
                else _("该评估当前为“%(status)s”，不能退回。")
            )
            raise StateConflict(message % {"status": fresh.get_status_display()})
        if action == "return":
            if not reason.strip():
                raise ValidationError({"reason": [_("请填写退回原因。")]})
            if len(reason.strip()) > 500:
                raise ValidationError({"reason": [_("退回原因不能超过 500 字。")]})
            fresh.status = EvaluationStatus.RETURNED
            fresh.return_reason = reason.strip()
        else:
            fresh.status = EvaluationStatus.ACCEPTED
        fresh.decided_at = timezone.now()
        fresh.save()
    return fresh


def evaluation_accept(*, actor: Membership, evaluation: Evaluation) -> Evaluation:
    """The purchaser accepts a submitted evaluation. StateConflict when it is not (or no
    longer) submitted: of two reviewers acting at once, the second gets the conflict."""
    return _review(actor, evaluation, "accept")


def evaluation_return(*, actor: Membership, evaluation: Evaluation, reason: str) -> Evaluation:
    """The purchaser returns a submitted evaluation to its evaluator with a reason."""
    return _review(actor, evaluation, "return", reason)
