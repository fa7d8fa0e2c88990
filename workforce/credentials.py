"""Credentials and their registrations: the status on a day, and the writes that record them.

National rules (workforce/national.py, 民发〔2009〕44号): a registration is valid three
years; re-registration is accepted in the three months before it expires and then runs
three years from the old expiry; continuing education is counted per registration period.
A first registration later than a year after passing is recorded (and flagged by the
``registration_valid`` rule); a registration before the pass date, or a re-registration
before its window, cannot be true and is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.calendar import add_months, add_years
from stations.history import register_actions
from stations.models import Membership
from stations.services.history import acting
from stations.validation import BatchInvalid, date_problem
from workforce import permissions
from workforce.models import (
    LEVEL_RANK,
    Credential,
    CredentialLevel,
    CredentialStatus,
    Registration,
    SocialWorker,
)
from workforce.national import REGISTRATION_VALID_YEARS, REREGISTRATION_WINDOW_MONTHS

register_actions(
    {
        "credential_create": gettext_lazy("登记了职业水平证书"),
        "registration_create": gettext_lazy("记录了证书登记"),
    }
)

# The national examination began in 2008; an earlier year is a typing mistake.
FIRST_EXAM_YEAR = 2008


def window_opens(valid_until: datetime.date) -> datetime.date:
    """The first day re-registration is accepted: three months before the expiry."""
    return add_months(valid_until + datetime.timedelta(1), -REREGISTRATION_WINDOW_MONTHS.value)


class RegistrationPeriod(Protocol):
    """What status_on reads of a registration (a Registration, or the rules' plain rows)."""

    @property
    def registered_on(self) -> datetime.date: ...

    @property
    def valid_until(self) -> datetime.date: ...


def status_on(registrations: Iterable[RegistrationPeriod], day: datetime.date) -> str:
    """A credential's CredentialStatus on ``day`` from its registrations.

    未登记 before its first registration; 已过期 after the last one ran out; 待再登记 in
    the three months before the current one expires, unless the next is recorded; else 有效.
    """
    started = sorted(
        (registration for registration in registrations if registration.registered_on <= day),
        key=lambda registration: registration.registered_on,
    )
    if not started:
        return CredentialStatus.UNREGISTERED
    current = started[-1]
    if day > current.valid_until:
        return CredentialStatus.EXPIRED
    if day >= window_opens(current.valid_until):
        return CredentialStatus.DUE
    return CredentialStatus.VALID


def level_on(credentials: Iterable[Credential], day: datetime.date) -> str | None:
    """The worker's level on ``day``: its highest credential that is valid (or due for
    re-registration), or None (the credentials with their registrations prefetched)."""
    held = [
        credential.level
        for credential in credentials
        if status_on(credential.registrations.all(), day)
        in (CredentialStatus.VALID, CredentialStatus.DUE)
    ]
    return max(held, key=LEVEL_RANK.__getitem__) if held else None


def registrations_with_training():
    """Registrations annotated with ``trained``: the hours of the worker's training recorded
    in the platform during the registration's period (Decimal, 0 without any). A
    re-registration's period runs from the day after the previous one expired, so training
    before that counts for the previous period only. With the hours recorded on the
    registration this is the period's continuing education (民发〔2009〕123号)."""
    from django.db.models import DateField, DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from workforce.models import Training

    previous = (
        Registration.objects.filter(
            credential=OuterRef("credential"), registered_on__lt=OuterRef("registered_on")
        )
        .order_by("-registered_on")
        .values("valid_until")[:1]
    )
    trained = (
        Training.objects.filter(
            worker=OuterRef("credential__worker"),
            held_on__gte=OuterRef("registered_on"),
            held_on__gt=OuterRef("previous_until"),
            held_on__lte=OuterRef("valid_until"),
        )
        .order_by()  # Meta's ordering would join the workers and tenants for nothing
        .values("worker")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Registration.objects.annotate(
        previous_until=Coalesce(
            Subquery(previous, output_field=DateField()), Value(datetime.date(1900, 1, 1))
        )
    ).annotate(trained=Coalesce(Subquery(trained, output_field=DecimalField()), Value(Decimal(0))))


def credentials_check(
    *, actor: Membership, items: list[tuple[SocialWorker, dict]]
) -> list[Credential]:
    """The credentials ``items`` describe, unsaved: each is (worker, values) with ``level``
    (CredentialLevel code), ``certificate_number``, ``exam_year``, ``passed_on``. The
    levels held and the certificate numbers registered are read once for the batch.
    Raises PermissionDenied for a role that cannot record them, or BatchInvalid naming
    each refused item with every problem: a level the worker holds already (or twice in
    the batch), a certificate number registered in the tenant (or twice), an exam year
    before 2008 or after the pass date's year, a pass date in the future."""
    if not permissions.can_manage_social_workers(actor):
        raise PermissionDenied(_("您的角色不能登记社工的证书。"))
    saved = [worker.pk for worker, _values in items if worker.pk is not None]
    held = set(
        Credential.objects.filter(worker_id__in=saved).values_list("worker_id", "level")
        if saved
        else ()
    )
    numbers = [str(values.get("certificate_number") or "").strip() for _w, values in items]
    taken = set(
        Credential.objects.filter(
            tenant_id=actor.tenant_id, certificate_number__in=[n for n in numbers if n]
        ).values_list("certificate_number", flat=True)
    )
    built: list[Credential] = []
    refused: dict[int, ValidationError | PermissionDenied] = {}
    for index, (worker, values) in enumerate(items):
        try:
            credential = _credential(actor, worker, values, held, taken)
        except (ValidationError, PermissionDenied) as error:
            refused[index] = error
            continue
        held.add((id(worker) if worker.pk is None else worker.pk, credential.level))
        taken.add(credential.certificate_number)
        built.append(credential)
    if refused:
        raise BatchInvalid(refused)
    return built


def _credential(
    actor: Membership, worker: SocialWorker, values: dict, held: set, taken: set
) -> Credential:
    if worker.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("您的角色不能登记社工的证书。"))
    errors: dict[str, list] = {}
    level = values.get("level")
    if level not in CredentialLevel.values:
        errors.setdefault("level", []).append(_("请选择证书级别。"))
    elif (id(worker) if worker.pk is None else worker.pk, level) in held:
        errors.setdefault("level", []).append(
            _("该社工已登记%(level)s证书。") % {"level": CredentialLevel(level).label}
        )
    number = str(values.get("certificate_number") or "").strip()
    if not number:
        errors.setdefault("certificate_number", []).append(_("请填写证书编号。"))
    elif len(number) > 40:
        errors.setdefault("certificate_number", []).append(_("证书编号不能超过 40 个字符。"))
    elif number in taken:
        errors.setdefault("certificate_number", []).append(
            _("证书编号 %(number)s 已登记。") % {"number": number}
        )
    passed_on = values.get("passed_on")
    if passed_on is None:
        errors.setdefault("passed_on", []).append(_("请填写取得证书日期。"))
    elif date_problem(passed_on):
        errors.setdefault("passed_on", []).append(date_problem(passed_on))
    exam_year = values.get("exam_year")
    if exam_year is None:
        errors.setdefault("exam_year", []).append(_("请填写考试年度。"))
    else:
        try:
            exam_year = int(exam_year)
        except (TypeError, ValueError):
            exam_year = 0
        latest = passed_on.year if passed_on else timezone.localdate().year
        if not FIRST_EXAM_YEAR <= exam_year <= latest:
            errors.setdefault("exam_year", []).append(
                _("考试年度应在 %(first)d 至 %(last)d 之间（不晚于取得证书的年份）。")
                % {"first": FIRST_EXAM_YEAR, "last": latest}
            )
    if errors:
        raise ValidationError(errors)
    assert level is not None and passed_on is not None and exam_year is not None
    return Credential(
        tenant_id=actor.tenant_id,
        worker=worker,
        level=level,
        certificate_number=number,
        exam_year=exam_year,
        passed_on=passed_on,
    )


def credential_check(*, actor: Membership, worker: SocialWorker, **values: Any) -> Credential:
    """One credential's checks (see credentials_check), unsaved. Raises PermissionDenied or
    ValidationError with every problem."""
    try:
        return credentials_check(actor=actor, items=[(worker, values)])[0]
    except BatchInvalid as invalid:
        raise next(iter(invalid.errors.values())) from None


def credentials_create(
    *, actor: Membership, items: list[tuple[SocialWorker, dict]]
) -> list[Credential]:
    """Record the credentials of ``items`` (see credentials_check; the workers saved), all
    or none, in bulk statements under one history context. Raises PermissionDenied,
    BatchInvalid, or ValidationError when a certificate was recorded meanwhile."""
    credentials = credentials_check(actor=actor, items=items)
    try:
        with acting(actor.user, action="credential_create", tenant=actor.tenant.code):
            Credential.objects.bulk_create(credentials, batch_size=2000)
    except IntegrityError as error:  # recorded meanwhile
        raise ValidationError({"certificate_number": [_("该证书已登记。")]}) from error
    return credentials


def credential_create(*, actor: Membership, worker: SocialWorker, **values: Any) -> Credential:
    """Record a worker's credential (see credential_check), with history."""
    credential = credential_check(actor=actor, worker=worker, **values)
    try:
        with acting(actor.user, action="credential_create", tenant=actor.tenant.code):
            credential.save()
    except IntegrityError as error:  # recorded meanwhile
        raise ValidationError({"certificate_number": [_("该证书已登记。")]}) from error
    return credential


def registration_check(
    *,
    actor: Membership,
    credential: Credential,
    registered_on: datetime.date | None,
    continuing_education_hours: Any = 0,
) -> Registration:
    """The registration to record, unsaved, with its validity computed: three years from
    the registration, or, for a re-registration in its window, three years from the old
    expiry. Raises ValidationError with every problem: no date, a date in the future or
    before the pass date, a date inside an earlier registration before its re-registration
    window, hours that are not a number from 0 to 1,000."""
    if not permissions.can_manage_social_workers(actor) or credential.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("您的角色不能记录证书登记。"))
    errors: dict[str, list] = {}
    valid_until = None
    if registered_on is None:
        errors.setdefault("registered_on", []).append(_("请填写登记日期。"))
    elif date_problem(registered_on):
        errors.setdefault("registered_on", []).append(date_problem(registered_on))
    elif registered_on < credential.passed_on:
        errors.setdefault("registered_on", []).append(
            _("登记日期不能早于取得证书日期 %(day)s。") % {"day": credential.passed_on}
        )
    else:
        earlier = (
            credential.registrations.filter(registered_on__lte=registered_on)
            .order_by("-registered_on")
            .first()
        )
        years = REGISTRATION_VALID_YEARS.value
        if earlier is None or registered_on > earlier.valid_until:
            valid_until = add_years(registered_on, years) - datetime.timedelta(1)
        elif registered_on >= window_opens(earlier.valid_until):
            valid_until = add_years(earlier.valid_until + datetime.timedelta(1), years)
            valid_until -= datetime.timedelta(1)
        else:
            errors.setdefault("registered_on", []).append(
                _("上次登记有效期至 %(until)s，再登记自 %(opens)s 起受理。")
                % {"until": earlier.valid_until, "opens": window_opens(earlier.valid_until)}
            )
        later = credential.registrations.filter(registered_on__gt=registered_on).exists()
        if later and "registered_on" not in errors:
            errors.setdefault("registered_on", []).append(_("该证书已有更晚的登记。"))
    try:
        hours = Decimal(str(continuing_education_hours or 0))
        if not hours.is_finite() or not Decimal(0) <= hours <= Decimal(1000):
            raise InvalidOperation
    except InvalidOperation:
        errors.setdefault("continuing_education_hours", []).append(
            _("继续教育学时应为 0 至 1000 的数字。")
        )
        hours = Decimal(0)
    if errors:
        raise ValidationError(errors)
    assert registered_on is not None and valid_until is not None
    return Registration(
        tenant_id=actor.tenant_id,
        credential=credential,
        registered_on=registered_on,
        valid_until=valid_until,
        continuing_education_hours=hours.quantize(Decimal("0.1")),
    )


def registration_create(
    *,
    actor: Membership,
    credential: Credential,
    registered_on: datetime.date | None,
    continuing_education_hours: Any = 0,
) -> Registration:
    """Record a registration or re-registration of a credential (see registration_check)."""
    with acting(actor.user, action="registration_create", tenant=actor.tenant.code):
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        registration = registration_check(
            actor=actor,
            credential=locked,
            registered_on=registered_on,
            continuing_education_hours=continuing_education_hours,
        )
        registration.save()
    return registration
