"""Writes of the supervision app: supervisor assignments, sessions and monthly submissions.

Each runs in one transaction under ``acting`` (history names the user and, for a return
or an unlock, the reason), reports every problem at once (ValidationError by field) and
refuses a change the month's state does not allow with StateConflict (the API's 409):
sessions change only while their month is a draft or returned; a submission moves
draft/returned → submitted → accepted (locked) or returned, and a city admin may unlock
an accepted month, which returns it. Transitions lock the submission row, so of two
reviewers acting at once exactly one wins.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import Contract, ContractFacility, ContractState
from stations.history import register_actions
from stations.models import Facility, FacilityOperatingPeriod, Membership
from stations.policy import PolicyMissing
from stations.selectors import Actor, policy_value
from stations.services.history import acting
from stations.validation import StateConflict, date_problem, pdf_problems, sha256_of
from supervision import permissions
from supervision.models import (
    MonthlySubmission,
    SessionForm,
    SubmissionState,
    SupervisionSession,
    SupervisorAssignment,
)
from workforce.models import Assignment, SocialWorker
from workforce.summary import STATION_ROLES

register_actions(
    {
        "supervisor_assign": gettext_lazy("安排了督导"),
        "session_create": gettext_lazy("录入了督导记录"),
        "session_delete": gettext_lazy("删除了督导记录"),
        "submission_open": gettext_lazy("开始了月度督导填报"),
        "submission_submit": gettext_lazy("提交了月度督导"),
        "submission_accept": gettext_lazy("审核通过了月度督导"),
        "submission_return": gettext_lazy("退回了月度督导"),
        "submission_unlock": gettext_lazy("解锁了月度督导"),
    }
)

HOURS_IN_A_DAY = Decimal(24)
DEADLINE_DAY = "submission_deadline_day"  # policy code
EDITABLE = (SubmissionState.DRAFT, SubmissionState.RETURNED)
ATTACHMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def in_force_in(contract: Contract, month: datetime.date) -> bool:
    """Whether ``contract`` (signed, not a draft) was in force on at least one day of
    ``month``: the one test of an expected (contract, month) pair, of the months sessions
    may be entered for and of the months that can be submitted (issue 11)."""
    return contract.state != ContractState.DRAFT and (
        contract.start_on <= month_end(month) and contract.live_until >= month
    )


def submission_deadline(actor: Actor, month: datetime.date) -> datetime.date:
    """The last day to submit ``month``: policy ``submission_deadline_day`` (default the
    10th) of the next month, or that month's last day when it is shorter. Raises
    PolicyMissing when the tenant has no value."""
    following = month_end(month) + datetime.timedelta(days=1)
    return deadline_on(month, int(policy_value(actor, DEADLINE_DAY, following)))


def deadline_on(month: datetime.date, day: int) -> datetime.date:
    """Day ``day`` of the month after ``month`` (its last day when that month is shorter)."""
    following = month_end(month) + datetime.timedelta(days=1)
    return following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))


def hours_by_day(
    started_at: datetime.datetime, ended_at: datetime.datetime, hours: Decimal
) -> dict[datetime.date, Decimal]:
    """The hours a session claims on each local day it spans: its ``hours`` shared in
    proportion to the time it covers on each day (Asia/Shanghai)."""
    start, end = timezone.localtime(started_at), timezone.localtime(ended_at)
    total = Decimal((end - start).total_seconds())
    if total <= 0:
        return {}
    parts: dict[datetime.date, Decimal] = {}
    cursor = start
    while cursor < end:
        following = cursor + datetime.timedelta(days=1)
        midnight = following.replace(hour=0, minute=0, second=0, microsecond=0)
        upto = min(midnight, end)
        share = Decimal((upto - cursor).total_seconds()) / total
        parts[cursor.date()] = parts.get(cursor.date(), Decimal(0)) + hours * share
        cursor = upto
    return parts


def _covers(contract: Contract, facility: Facility) -> ContractFacility | None:
    return ContractFacility.objects.filter(contract=contract, facility=facility).first()


def _month_problems(contract: Contract, facility: Facility, month: datetime.date) -> list[str]:
    """Why sessions of ``month`` cannot be entered: the contract not in force or the station
    not operating on any day of it."""
    problems = []
    last = month_end(month)
    if not in_force_in(contract, month):
        problems.append(
            _("合同 %(number)s 在 %(month)s 没有生效的日子。")
            % {"number": contract.number, "month": f"{month:%Y-%m}"}
        )
    operating = FacilityOperatingPeriod.objects.filter(
        facility=facility, started_on__lte=last
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=month))
    if not operating.exists():
        problems.append(
            _("%(station)s 在 %(month)s 没有运营。")
            % {"station": facility.name, "month": f"{month:%Y-%m}"}
        )
    return problems


def _not_stationed(
    participants, facility: Facility, started_at: datetime.datetime, ended_at: datetime.datetime
) -> list[SocialWorker]:
    """The ``participants`` without a station post (驻站社工 or 站长) at ``facility`` on any
    day of the session: only the station's own workers take part in its supervision."""
    first, last = timezone.localdate(started_at), timezone.localdate(ended_at)
    posted = set(
        Assignment.objects.filter(
            facility=facility,
            role__in=STATION_ROLES,
            worker__in=[worker.pk for worker in participants],
            started_on__lte=last,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values_list("worker_id", flat=True)
    )
    return [worker for worker in participants if worker.pk not in posted]


def _locked(contract: Contract, month: datetime.date) -> MonthlySubmission | None:
    """The month's submission when its state forbids changing its sessions."""
    submission = (
        MonthlySubmission.objects.select_for_update().filter(contract=contract, month=month).first()
    )
    if submission is not None and submission.state not in EDITABLE:
        return submission
    return None


def _locked_message(submission: MonthlySubmission) -> str:
    return _("%(month)s 的月度督导已%(state)s，不能再修改督导记录。") % {
        "month": f"{submission.month:%Y-%m}",
        "state": submission.get_state_display(),
    }


def supervisor_assign(
    *,
    actor: Membership,
    supervisor: SocialWorker,
    contract: Contract,
    facility: Facility,
    started_on: datetime.date | None,
    ended_on: datetime.date | None = None,
) -> SupervisorAssignment:
    """Assign ``supervisor`` to ``facility`` under ``contract`` from ``started_on`` to
    ``ended_on`` (default: the contract's last day). The contract's contractor or its
    purchaser. ValidationError with every problem: a contract that does not cover the
    station, days outside the contract, an end before the start."""
    if not permissions.can_enter_sessions(actor, contract) and not permissions.can_review(
        actor, contract
    ):
        raise PermissionDenied(_("只有承接机构或采购人可以安排该合同的督导。"))
    errors: dict[str, list] = {}
    if supervisor.tenant_id != actor.tenant_id:
        errors.setdefault("supervisor", []).append(_("该社工不在本市登记。"))
    if _covers(contract, facility) is None:
        errors.setdefault("facility", []).append(_("该合同不覆盖这个站点。"))
    end = ended_on or contract.live_until
    if started_on is None:
        errors.setdefault("started_on", []).append(_("请填写起始日期。"))
    elif started_on < contract.start_on or started_on > contract.live_until:
        errors.setdefault("started_on", []).append(
            _("起始日期应在合同期 %(start)s 至 %(end)s 之内。")
            % {"start": contract.start_on, "end": contract.live_until}
        )
    elif end < started_on or end > contract.live_until:
        errors.setdefault("ended_on", []).append(
            _("结束日期应在起始日期之后、不晚于 %(end)s。") % {"end": contract.live_until}
        )
    if errors:
        raise ValidationError(errors)
    assert started_on is not None
    with acting(actor.user, action="supervisor_assign", tenant=actor.tenant.code):
        return SupervisorAssignment.objects.create(
            tenant_id=actor.tenant_id,
            supervisor=supervisor,
            contract=contract,
            facility=facility,
            started_on=started_on,
            ended_on=end,
        )


def session_check(
    *,
    actor: Membership,
    contract: Contract,
    facility: Facility | None,
    supervisor: SocialWorker | None,
    started_at: datetime.datetime | None,
    ended_at: datetime.datetime | None,
    form: str,
    topics: str,
    hours: Any = None,
    hours_note: str = "",
    participants: list[SocialWorker] | tuple = (),
    notes: str = "",
    attachment: Any = None,
) -> SupervisionSession:
    """The session to record, unsaved (participants are set by ``session_create``).

    ``started_at``/``ended_at`` are aware datetimes (a session may span days but stays in
    one month, Asia/Shanghai); ``hours`` defaults to the duration and may only be lower,
    with ``hours_note`` saying why. Raises PermissionDenied (not the contract's
    contractor), StateConflict (the month is submitted or accepted), or ValidationError
    with every problem: a station the contract does not cover, a month the station did
    not operate or the contract was not in force, days outside the contract, an end
    before the start, more than 24 hours for the supervisor on one day, a participant
    not stationed at the station during the session, an attachment that is not a PDF or
    image or too big.
    """
    if not permissions.can_enter_sessions(actor, contract):
        raise PermissionDenied(_("只有该合同的承接机构可以录入督导记录。"))
    errors: dict[str, list] = {}
    if facility is None:
        errors.setdefault("facility", []).append(_("请选择站点。"))
    elif _covers(contract, facility) is None:
        errors.setdefault("facility", []).append(_("该合同不覆盖这个站点。"))
    if supervisor is None or supervisor.tenant_id != actor.tenant_id:
        errors.setdefault("supervisor", []).append(_("请选择本市登记的社工作为督导。"))
    if form not in SessionForm.values:
        errors.setdefault("form", []).append(_("请选择督导形式。"))
    if not (topics or "").strip():
        errors.setdefault("topics", []).append(_("请填写督导主题。"))
    month = None
    duration = Decimal(0)
    if started_at is None:
        errors.setdefault("started_at", []).append(_("请填写开始时间。"))
    if ended_at is None:
        errors.setdefault("ended_at", []).append(_("请填写结束时间。"))
    if started_at is not None and ended_at is not None:
        start_day, end_day = timezone.localdate(started_at), timezone.localdate(ended_at)
        month = month_start(start_day)
        if ended_at <= started_at:
            errors.setdefault("ended_at", []).append(_("结束时间应晚于开始时间。"))
        elif month_start(end_day) != month:
            errors.setdefault("ended_at", []).append(_("一次督导不能跨月，请按月分开录入。"))
        elif date_problem(start_day) or date_problem(end_day):
            errors.setdefault("started_at", []).append(
                date_problem(start_day) or date_problem(end_day)
            )
        else:
            seconds = Decimal((ended_at - started_at).total_seconds())
            duration = (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
            if start_day < contract.start_on or end_day > contract.live_until:
                errors.setdefault("started_at", []).append(
                    _("督导日期应在合同期 %(start)s 至 %(end)s 之内。")
                    % {"start": contract.start_on, "end": contract.live_until}
                )
            elif facility is not None and "facility" not in errors:
                for problem in _month_problems(contract, facility, month):
                    errors.setdefault("started_at", []).append(problem)
    claimed = duration
    if hours not in (None, ""):
        try:
            claimed = Decimal(str(hours)).quantize(Decimal("0.1"))
        except ArithmeticError:
            errors.setdefault("hours", []).append(_("时长应为数字，最多一位小数。"))
        else:
            if claimed <= 0:
                errors.setdefault("hours", []).append(_("时长应大于 0。"))
            elif duration and claimed > duration:
                errors.setdefault("hours", []).append(
                    _("时长不能超过开始至结束的 %(hours)s 小时。") % {"hours": duration}
                )
            elif duration and claimed < duration and not (hours_note or "").strip():
                errors.setdefault("hours_note", []).append(_("时长少于起止时间时，请说明原因。"))
    dated = started_at is not None and ended_at is not None and not errors.get("started_at")
    if claimed and supervisor is not None and dated and not errors.get("ended_at"):
        assert started_at is not None and ended_at is not None
        mine = hours_by_day(started_at, ended_at, claimed)
        recorded: dict[datetime.date, Decimal] = {}
        others = SupervisionSession.objects.filter(
            tenant_id=actor.tenant_id,
            supervisor=supervisor,
            started_at__lt=ended_at + datetime.timedelta(days=1),
            ended_at__gt=started_at - datetime.timedelta(days=1),
        )
        for other in others:
            for day, part in hours_by_day(other.started_at, other.ended_at, other.hours).items():
                recorded[day] = recorded.get(day, Decimal(0)) + part
        for day, part in sorted(mine.items()):
            already = recorded.get(day, Decimal(0))
            if already + part > HOURS_IN_A_DAY:
                message = _(
                    "%(day)s 该督导已记录 %(recorded)s 小时，再加 %(hours)s 小时超过一天 24 小时。"
                )
                errors.setdefault("hours", []).append(
                    message
                    % {
                        "day": day,
                        "recorded": already.quantize(Decimal("0.1")),
                        "hours": part.quantize(Decimal("0.1")),
                    }
                )
    if participants and facility is not None and started_at is not None and ended_at is not None:
        strangers = _not_stationed(participants, facility, started_at, ended_at)
        if strangers:
            errors.setdefault("participants", []).append(
                _("参加人员应为督导期间在该站点驻站的社工：%(names)s 不是。")
                % {"names": "、".join(worker.name for worker in strangers)}
            )
    if attachment is not None:
        name = (getattr(attachment, "name", "") or "").lower()
        if name.endswith(".pdf"):
            problems = pdf_problems(attachment, max_mb=settings.PDF_UPLOAD_MAX_MB)
        elif name.endswith(ATTACHMENT_SUFFIXES):
            size = getattr(attachment, "size", 0) or 0
            limit = settings.PDF_UPLOAD_MAX_MB * 1024 * 1024
            problems = (
                [_("文件超过 %(max)d MB。") % {"max": settings.PDF_UPLOAD_MAX_MB}]
                if size > limit
                else []
            )
        else:
            problems = [_("签到表应为 PDF 或 JPG、PNG 图片。")]
        if problems:
            errors.setdefault("attachment", []).extend(problems)
    if errors:
        raise ValidationError(errors)
    assert month is not None and started_at is not None and ended_at is not None
    locked = _locked(contract, month)
    if locked is not None:
        raise StateConflict(_locked_message(locked))
    return SupervisionSession(
        tenant_id=actor.tenant_id,
        contract=contract,
        facility=facility,
        supervisor=supervisor,
        month=month,
        started_at=started_at,
        ended_at=ended_at,
        hours=claimed,
        hours_note=(hours_note or "").strip(),
        form=form,
        topics=topics.strip(),
        notes=(notes or "").strip(),
        attachment_sha256=sha256_of(attachment) if attachment is not None else "",
        created_by=actor.user,
    )


def session_create(*, actor: Membership, **values: Any) -> SupervisionSession:
    """Record a session (see session_check), with its participants and attachment."""
    participants = list(values.get("participants") or ())
    attachment = values.get("attachment")
    with acting(actor.user, action="session_create", tenant=actor.tenant.code):
        session = session_check(actor=actor, **values)
        if attachment is not None:
            session.attachment.save(attachment.name, attachment, save=False)
        session.save()
        if participants:
            session.participants.set(participants)
    return session


def session_delete(*, actor: Membership, session: SupervisionSession) -> None:
    """Delete a session of a month still editable. PermissionDenied or StateConflict."""
    if not permissions.can_enter_sessions(actor, session.contract):
        raise PermissionDenied(_("只有该合同的承接机构可以删除督导记录。"))
    with acting(actor.user, action="session_delete", tenant=actor.tenant.code):
        locked = _locked(session.contract, session.month)
        if locked is not None:
            raise StateConflict(_locked_message(locked))
        session.delete()


def _submission(contract: Contract, month: datetime.date) -> MonthlySubmission:
    """The month's submission, locked for this transaction (created as a draft)."""
    MonthlySubmission.objects.get_or_create(
        tenant_id=contract.tenant_id, contract=contract, month=month
    )
    return MonthlySubmission.objects.select_for_update().get(contract=contract, month=month)


def _submittable(actor: Membership, contract: Contract, month: datetime.date) -> None:
    if not permissions.can_enter_sessions(actor, contract):
        raise PermissionDenied(_("只有该合同的承接机构可以提交月度督导。"))
    if month > month_start(timezone.localdate()):
        raise ValidationError({"month": [_("该月尚未开始，不能提交。")]})
    if not in_force_in(contract, month):
        raise ValidationError(
            {"month": [_("合同 %(number)s 在该月没有生效的日子。") % {"number": contract.number}]}
        )


def submission_open(
    *, actor: Membership, contract: Contract, month: datetime.date
) -> MonthlySubmission:
    """The month's submission of ``contract``, opened as a draft if it has none (the
    contractor; same checks as submission_submit). Opening it twice gives the same one."""
    month = month_start(month)
    _submittable(actor, contract, month)
    with acting(actor.user, action="submission_open", tenant=actor.tenant.code):
        submission, _created = MonthlySubmission.objects.get_or_create(
            tenant_id=contract.tenant_id, contract=contract, month=month
        )
    return submission


def submission_submit(
    *, actor: Membership, contract: Contract, month: datetime.date
) -> MonthlySubmission:
    """Submit ``contract``'s ``month`` (a draft or returned month), recording the time and
    the deadline. The contract's contractor only. ValidationError for a month not begun or
    without a day in force, or without a deadline day in policy (PolicyMissing's message);
    StateConflict when it is submitted or accepted already."""
    month = month_start(month)
    _submittable(actor, contract, month)
    with acting(actor.user, action="submission_submit", tenant=actor.tenant.code):
        submission = _submission(contract, month)
        if submission.state not in EDITABLE:
            raise StateConflict(
                _("%(month)s 的月度督导已%(state)s。")
                % {"month": f"{month:%Y-%m}", "state": submission.get_state_display()}
            )
        now = timezone.now()
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        submission.first_submitted_at = submission.first_submitted_at or now
        try:
            submission.deadline = submission_deadline(actor, month)
        except PolicyMissing as missing:  # the city has to set the deadline day first
            raise ValidationError({"month": [str(missing)]}) from missing
        submission.save()
    return submission


def _review(
    actor: Membership, submission: MonthlySubmission, action: str, target: str, reason: str = ""
) -> MonthlySubmission:
    if action == "submission_unlock":
        allowed = permissions.can_unlock(actor, submission.contract)
        wanted = SubmissionState.ACCEPTED
    else:
        allowed = permissions.can_review(actor, submission.contract)
        wanted = SubmissionState.SUBMITTED
    if not allowed:
        raise PermissionDenied(_("您不能审核该合同的月度督导。"))
    if action in ("submission_return", "submission_unlock"):
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [_("请填写原因。")]})
        if len(reason) > 300:
            raise ValidationError({"reason": [_("原因不能超过 300 字。")]})
    # acting() is one transaction: the row stays locked until the decision is written.
    with acting(actor.user, action=action, tenant=actor.tenant.code, reason=reason):
        fresh = MonthlySubmission.objects.select_for_update().get(pk=submission.pk)
        if fresh.state != wanted:
            raise StateConflict(
                _("%(month)s 的月度督导当前为“%(state)s”，不能这样操作。")
                % {"month": f"{fresh.month:%Y-%m}", "state": fresh.get_state_display()}
            )
        fresh.state = target
        fresh.reviewed_at = timezone.now()
        fresh.reviewed_by = actor.user
        fresh.reason = reason
        fresh.save()
    return fresh


def submission_accept(*, actor: Membership, submission: MonthlySubmission) -> MonthlySubmission:
    """Accept a submitted month, locking it (the purchasing county, or the city for city
    contracts). StateConflict when it is not submitted (accepted or returned meanwhile)."""
    return _review(actor, submission, "submission_accept", SubmissionState.ACCEPTED)


def submission_return(
    *, actor: Membership, submission: MonthlySubmission, reason: str
) -> MonthlySubmission:
    """Return a submitted month to the contractor with a reason (see submission_accept)."""
    return _review(actor, submission, "submission_return", SubmissionState.RETURNED, reason)


def submission_unlock(
    *, actor: Membership, submission: MonthlySubmission, reason: str
) -> MonthlySubmission:
    """Unlock an accepted month (city admins, with a reason kept in history): it goes back
    to the contractor as returned. StateConflict when it is not accepted."""
    return _review(actor, submission, "submission_unlock", SubmissionState.RETURNED, reason)


def sessions_of(contract: Contract, month: datetime.date):
    """The sessions of a contract's month, by start."""
    return SupervisionSession.objects.filter(contract=contract, month=month_start(month)).order_by(
        "started_at"
    )
