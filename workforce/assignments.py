"""Station assignments (驻站安排): a worker at a facility in a role, under a contract, dated.

Refused, every problem at once: a facility outside the actor's reach (another county's
station; for a contractor, a station its contract does not cover), a contract that does
not cover the facility or whose term does not hold the assignment's days, an end before
the start, and a second full-time assignment overlapping the first (checked under a lock
and by the trigger ``one_full_time_post_per_day``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import ContractState
from procurement.selectors import contracts_visible
from stations.history import register_actions
from stations.models import Facility, Membership
from stations.selectors import facilities_visible
from stations.services.history import acting
from stations.validation import date_problem, record_id
from workforce import permissions
from workforce.models import Assignment, AssignmentRole, SocialWorker

register_actions(
    {
        "assignment_create": gettext_lazy("安排了驻站"),
        "assignment_end": gettext_lazy("结束了驻站"),
    }
)


def _overlapping(worker: SocialWorker, started_on, ended_on, exclude: int | None = None):
    rows = Assignment.objects.filter(
        worker=worker, full_time=True, started_on__lte=ended_on or datetime.date.max
    )
    rows = rows.exclude(ended_on__lt=started_on)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.select_related("facility").order_by("started_on")


def assignment_check(*, actor: Membership, worker: SocialWorker, **values: Any) -> Assignment:
    """The assignment ``values`` describe, unsaved: ``facility`` (id), ``role``
    (AssignmentRole code), ``contract`` (id or None; a contractor must give its own),
    ``started_on``, ``ended_on`` (None: open, or the contract's last day under a
    contract), ``full_time`` (default true). Raises
    PermissionDenied, or ValidationError with every problem (see the module docstring)."""
    if not permissions.can_manage_social_workers(actor) or worker.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("您的角色不能安排社工驻站。"))
    errors: dict[str, list] = {}
    started_on, ended_on = values.get("started_on"), values.get("ended_on")
    role = values.get("role")
    if role not in AssignmentRole.values:
        errors.setdefault("role", []).append(_("请选择岗位。"))
    if started_on is None:
        errors.setdefault("started_on", []).append(_("请填写起始日期。"))
    elif date_problem(started_on, future=True):
        errors.setdefault("started_on", []).append(date_problem(started_on, future=True))
    if ended_on is not None and started_on is not None and ended_on < started_on:
        errors.setdefault("ended_on", []).append(_("结束日期不能早于起始日期。"))
    contract = None
    contract_id = record_id(values.get("contract"))
    if contract_id is not None:
        contract = contracts_visible(actor).filter(pk=contract_id).first()
        if contract is None:
            errors.setdefault("contract", []).append(_("该合同不存在或不在您的管辖范围内。"))
    elif values.get("contract") not in (None, ""):
        errors.setdefault("contract", []).append(_("该合同不存在或不在您的管辖范围内。"))
    elif permissions.keeps_own_organisation_only(actor.role):
        errors.setdefault("contract", []).append(_("请选择派驻依据的合同。"))
    facility = None
    facility_id = record_id(values.get("facility"))
    if contract is not None and permissions.keeps_own_organisation_only(actor.role):
        # A contractor stations workers at the facilities its contract covers, past or present.
        reachable = Facility.objects.filter(
            tenant_id=actor.tenant_id, contract_rows__contract=contract
        )
    else:
        reachable = facilities_visible(actor)
    if facility_id is not None:
        facility = reachable.filter(pk=facility_id).first()
    if facility is None:
        errors.setdefault("facility", []).append(_("该站点不存在或不在您的管辖范围内。"))
    if contract is not None and facility is not None:
        if not contract.coverage.filter(facility=facility).exists():
            errors.setdefault("contract", []).append(
                _("合同 %(number)s 不覆盖%(name)s。")
                % {"number": contract.number, "name": facility.name}
            )
        elif started_on is not None and (
            contract.state == ContractState.DRAFT
            or started_on < contract.start_on
            or started_on > contract.live_until
            or (ended_on is not None and ended_on > contract.live_until)
        ):
            errors.setdefault("contract", []).append(
                _("驻站期间须在合同 %(number)s 的履行期 %(start)s 至 %(end)s 之内。")
                % {
                    "number": contract.number,
                    "start": contract.start_on,
                    "end": contract.live_until,
                }
            )
    if (
        contract is not None
        and worker.employer_id
        and contract.organisation_id != worker.employer_id
    ):
        errors.setdefault("contract", []).append(_("派驻依据的合同应为该社工所在机构的合同。"))
    if contract is not None and ended_on is None and "contract" not in errors:
        ended_on = contract.live_until  # stationed under the contract until it ends
    full_time = values.get("full_time", True) is not False
    if full_time and started_on is not None and "ended_on" not in errors:
        for other in _overlapping(worker, started_on, ended_on):
            errors.setdefault("started_on", []).append(
                _("该社工 %(start)s 至 %(end)s 已全职驻%(name)s，同一天只能全职驻一个站点。")
                % {
                    "start": other.started_on,
                    "end": other.ended_on or _("今"),
                    "name": other.facility.name,
                }
            )
    if errors:
        raise ValidationError(errors)
    assert facility is not None and started_on is not None and role is not None
    return Assignment(
        tenant_id=actor.tenant_id,
        worker=worker,
        facility=facility,
        county_code=facility.county_code,
        role=role,
        contract=contract,
        started_on=started_on,
        ended_on=ended_on,
        full_time=full_time,
    )


def assignment_create(*, actor: Membership, worker: SocialWorker, **values: Any) -> Assignment:
    """Record an assignment (see assignment_check), with history."""
    try:
        with acting(actor.user, action="assignment_create", tenant=actor.tenant.code):
            locked = SocialWorker.objects.select_for_update().get(pk=worker.pk)
            assignment = assignment_check(actor=actor, worker=locked, **values)
            assignment.save()
    except IntegrityError as error:
        if "overlapping full-time assignment" not in str(error):
            raise
        raise ValidationError({"started_on": [_("同一天只能全职驻一个站点。")]}) from error
    return assignment


def assignment_end(
    *, actor: Membership, assignment: Assignment, on: datetime.date | None
) -> Assignment:
    """End an assignment on ``on`` (its last day), earlier than it was to end.
    ValidationError when the day is missing, before its start, or not earlier."""
    if not permissions.can_manage_social_workers(actor) or assignment.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("您的角色不能安排社工驻站。"))
    errors: dict[str, list] = {}
    if on is None:
        errors.setdefault("on", []).append(_("请填写结束日期。"))
    elif on < assignment.started_on:
        errors.setdefault("on", []).append(_("结束日期不能早于起始日期。"))
    elif date_problem(on, future=True):
        errors.setdefault("on", []).append(date_problem(on, future=True))
    if assignment.ended_on is not None and on is not None and on >= assignment.ended_on:
        errors.setdefault("on", []).append(
            _("该驻站已定于 %(day)s 结束，只能提前。") % {"day": assignment.ended_on}
        )
    if errors:
        raise ValidationError(errors)
    with acting(actor.user, action="assignment_end", tenant=actor.tenant.code):
        assignment.ended_on = on
        assignment.save(update_fields=["ended_on"])
    return assignment
