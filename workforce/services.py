"""Writes of the workforce app: register or change a social worker, reveal an ID number.

Each runs in one transaction under ``acting`` (history names the user), reports every
problem at once, and never repeats a full ID number in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import Organisation
from stations.history import register_actions
from stations.models import Membership
from stations.scoping import ORGANISATIONS, scope_of
from stations.services.history import acting
from stations.validation import BatchInvalid, batch_memo, phone_normalize, record_id
from workforce import permissions
from workforce.id_numbers import (
    id_number_birth_date,
    id_number_gender,
    id_number_hash,
    id_number_mask,
    id_number_normalize,
)
from workforce.models import IdNumberReveal, SocialWorker, Specialty
from workforce.selectors import is_of_county

# The fields a user fills in (the employer is given by id).
SOCIAL_WORKER_FIELDS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "phone",
    "education",
    "social_work_major",
    "employer",
    "party_member",
    "specialties",
    "status",
    "remarks",
)

SPECIALTY_CODES = tuple(Specialty.values)
CHECKED_ABOVE = (
    "tenant", "employer", "id_number", "id_number_hash", "id_number_masked", "birth_date",
    "gender", "phone", "specialties", "registered_county",
)  # fmt: skip

register_actions(
    {
        "social_worker_create": gettext_lazy("登记了该社工"),
        "social_worker_update": gettext_lazy("修改了该社工信息"),
    }
)


@dataclass
class _Batch:
    """What checking a batch of workers reads once: the actor's own organisations (a
    contractor), the employers named, and the ID-number hashes registered in the tenant."""

    own: set[int] | None
    employers: dict[int, Organisation]
    taken: dict[str, int]  # id_number_hash → the worker's pk
    claimed: dict[str, int] = field(default_factory=dict)  # hash → index in this batch


def _employer(actor: Membership, value: object, errors: dict, batch: _Batch) -> Organisation | None:
    if value in (None, ""):
        if permissions.keeps_own_organisation_only(actor.role):
            errors.setdefault("employer", []).append(_("请选择本机构。"))
        return None
    key = value.pk if isinstance(value, Organisation) else value
    employer = batch.employers.get(record_id(key) or 0)
    if employer is None:
        errors.setdefault("employer", []).append(_("该机构不存在或不在本市登记。"))
        return None
    if permissions.keeps_own_organisation_only(actor.role) and employer.pk not in (batch.own or ()):
        errors.setdefault("employer", []).append(_("承接机构只能登记本机构的社工。"))
        return None
    return employer


def _number_of(values: dict) -> str | None:
    try:
        return id_number_normalize(values["id_number"]) if "id_number" in values else None
    except ValidationError:
        return None


def _batch_for(actor: Membership, items: list[tuple[SocialWorker | None, dict]]) -> _Batch:
    ids = {
        record_id(value.pk if isinstance(value, Organisation) else value) or 0
        for _worker, values in items
        if (value := values.get("employer")) not in (None, "")
    }
    hashes = [id_number_hash(number) for _w, values in items if (number := _number_of(values))]
    return _Batch(
        own=set(scope_of(actor).ids(ORGANISATIONS) or ())
        if permissions.keeps_own_organisation_only(actor.role)
        else None,
        employers={
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(tenant_id=actor.tenant_id, pk__in=ids)
        },
        taken=dict(
            SocialWorker.objects.filter(
                tenant_id=actor.tenant_id, id_number_hash__in=hashes
            ).values_list("id_number_hash", "pk")
        )
        if hashes
        else {},
    )


def social_workers_check(
    *, actor: Membership, items: list[tuple[SocialWorker | None, dict]]
) -> list[SocialWorker]:
    """The workers ``items`` describe, unsaved: each item is (None, values) for a new worker
    or (worker, values) for a change; ``values`` any of SOCIAL_WORKER_FIELDS.

    ``id_number`` is the 18-character resident ID number (GB 11643; spaces trimmed, ``x``
    stored as ``X``), ``employer`` an organisation id. The birth date and gender are taken
    from the number when not given and must agree with it. Employers and registered
    numbers are read once for the batch (an import of thousands of rows makes a few
    queries). Raises PermissionDenied for a role that cannot register workers, or
    BatchInvalid naming each refused item with every problem at once: a malformed or
    15-digit number, one already registered in the tenant or twice in the batch, a birth
    date or gender that disagrees with it, a phone that is not one, an employer outside
    the city (a contractor: other than its own organisation). Writes nothing.
    """
    if not permissions.can_manage_social_workers(actor):
        raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))
    with batch_memo():
        return _check_all(actor, items)


def _check_all(
    actor: Membership, items: list[tuple[SocialWorker | None, dict]]
) -> list[SocialWorker]:
    batch = _batch_for(actor, items)
    built: list[SocialWorker] = []
    refused: dict[int, ValidationError | PermissionDenied] = {}
    for index, (worker, values) in enumerate(items):
        try:
            built.append(_check_one(actor, worker, values, batch, index))
        except (ValidationError, PermissionDenied) as error:
            refused[index] = error
    if refused:
        raise BatchInvalid(refused)
    return built


def _check_one(
    actor: Membership,
    worker: SocialWorker | None,
    values: dict,
    batch: _Batch,
    index: int,
) -> SocialWorker:
    if worker is not None and worker.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("该社工不在您的管辖范围内。"))
    errors: dict[str, list] = {}
    for name in sorted(set(values) - set(SOCIAL_WORKER_FIELDS)):
        errors.setdefault(name, []).append(_("不能通过此方式修改。"))
    target = worker or SocialWorker(tenant=actor.tenant)
    if worker is None and actor.scope is not None:
        target.registered_county = actor.scope.county_code
    plain = ("name", "gender", "birth_date", "education", "social_work_major")
    for name in (*plain, "party_member", "status", "remarks"):
        if name in values:
            value = values[name]
            setattr(target, name, value.strip() if isinstance(value, str) else value)
    number = None
    if "id_number" in values:
        try:
            number = id_number_normalize(values["id_number"])
        except ValidationError as error:
            errors.setdefault("id_number", []).extend(error.messages)
        else:
            target.id_number = number
            target.id_number_hash = id_number_hash(number)
            target.id_number_masked = id_number_mask(number)
            holder = batch.taken.get(target.id_number_hash)
            earlier = batch.claimed.setdefault(target.id_number_hash, index)
            if (holder is not None and holder != target.pk) or earlier != index:
                errors.setdefault("id_number", []).append(
                    _("公民身份号码 %(number)s 已登记。") % {"number": target.id_number_masked}
                )
    elif worker is None:
        errors.setdefault("id_number", []).append(_("请填写公民身份号码。"))
    if number is None and worker is not None and ("birth_date" in values or "gender" in values):
        number = worker.id_number  # a change of either alone must still agree with the number
    if number is not None:
        born = id_number_birth_date(number)
        if not values.get("birth_date"):
            target.birth_date = born
        elif values["birth_date"] != born:
            errors.setdefault("birth_date", []).append(_("出生日期与公民身份号码不一致。"))
        gender = id_number_gender(number)
        if not values.get("gender"):
            target.gender = gender
        elif values["gender"] != gender:
            errors.setdefault("gender", []).append(_("性别与公民身份号码不一致。"))
    if (
        target.birth_date
        and "birth_date" not in errors
        and target.birth_date > timezone.localdate()
    ):
        errors.setdefault("birth_date", []).append(_("日期不能晚于今天。"))
    if "specialties" in values:
        raw = values["specialties"] or []
        chosen = list(raw) if isinstance(raw, list | tuple) else [raw]
        unknown = [code for code in chosen if code not in SPECIALTY_CODES]
        if unknown:
            errors.setdefault("specialties", []).append(
                _("专业领域“%(codes)s”不存在；可用：%(known)s。")
                % {"codes": "、".join(map(str, unknown)), "known": ", ".join(SPECIALTY_CODES)}
            )
        else:
            target.specialties = [code for code in SPECIALTY_CODES if code in chosen]
    if "phone" in values:
        try:
            target.phone = phone_normalize(values["phone"] or "")
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    if "employer" in values or (worker is None and "employer" not in errors):
        target.employer = _employer(actor, values.get("employer"), errors, batch)
    try:
        # The fields checked above (or derived from the number) are not checked again.
        target.full_clean(
            exclude=[*CHECKED_ABOVE, *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return target


def _single(call, **kwargs):
    """Run a batch service for one item and raise that item's own error."""
    try:
        return call(**kwargs)[0]
    except BatchInvalid as invalid:
        raise next(iter(invalid.errors.values())) from None


def social_worker_check(
    *, actor: Membership, worker: SocialWorker | None = None, **values: Any
) -> SocialWorker:
    """One worker's checks (see social_workers_check): the worker ``values`` describe (new,
    or ``worker`` changed), unsaved. Raises PermissionDenied or ValidationError (every
    problem at once)."""
    return _single(social_workers_check, actor=actor, items=[(worker, values)])


def _registered_meanwhile(error: IntegrityError, workers: list[SocialWorker]) -> ValidationError:
    if "worker_id_number_per_tenant" not in str(error):
        raise error
    masked = "、".join(worker.id_number_masked for worker in workers[:3])
    return ValidationError(
        {"id_number": [_("公民身份号码 %(number)s 已登记。") % {"number": masked}]}
    )


# The model fields a change can touch (the form's fields and what follows from the number).
_UPDATED_FIELDS = [
    "name", "gender", "id_number", "id_number_hash", "id_number_masked", "birth_date", "phone",
    "education", "social_work_major", "employer", "party_member", "specialties", "status",
    "remarks", "updated_at",
]  # fmt: skip


def social_workers_save(
    *, actor: Membership, items: list[tuple[SocialWorker | None, dict]]
) -> list[SocialWorker]:
    """Register the new workers and change the others of ``items`` (see
    social_workers_check), all or none, in bulk statements under one history context.
    Raises PermissionDenied, BatchInvalid, or ValidationError on ``id_number`` when a
    number was registered meanwhile."""
    workers = social_workers_check(actor=actor, items=items)
    created = [worker for worker in workers if worker.pk is None]
    changed = [worker for worker in workers if worker.pk is not None]
    now = timezone.now()
    for worker in changed:
        worker.updated_at = now
    action = "social_worker_create" if not changed else "social_worker_update"
    try:
        with acting(actor.user, action=action, tenant=actor.tenant.code):
            SocialWorker.objects.bulk_create(created, batch_size=2000)
            if changed:
                SocialWorker.objects.bulk_update(changed, _UPDATED_FIELDS, batch_size=1000)
    except IntegrityError as error:  # the same number registered meanwhile
        raise _registered_meanwhile(error, workers) from error
    return workers


def social_worker_create(*, actor: Membership, **values: Any) -> SocialWorker:
    """Register a social worker (see social_workers_check); all or nothing, with history."""
    return _single(social_workers_save, actor=actor, items=[(None, values)])


def social_worker_update(*, actor: Membership, worker: SocialWorker, **values: Any) -> SocialWorker:
    """Change a social worker's fields (see social_workers_check); all or nothing."""
    fresh = SocialWorker.objects.get(pk=worker.pk)
    return _single(social_workers_save, actor=actor, items=[(fresh, values)])


def id_number_reveal(*, actor: Membership, worker: SocialWorker, channel: str = "page") -> str:
    """The worker's full ID number, logged (who, when, whose) before it is returned.

    Only a city admin, or a county officer for a worker of its county (the caller has
    ``worker`` from the actor's scope). Raises PermissionDenied for anyone else.
    """
    refused = not permissions.can_reveal_id_numbers(actor) or worker.tenant_id != actor.tenant_id
    if not refused and actor.scope is not None:
        # A county officer: only the county's own workers (registered or stationed there).
        refused = not is_of_county(worker, actor.scope.county_code, timezone.localdate())
    if refused:
        raise PermissionDenied(_("只有市级管理员和本县（市、区）民政干部可以查看完整的身份号码。"))
    IdNumberReveal.objects.create(
        tenant_id=actor.tenant_id,
        worker=worker,
        user=actor.user,
        role=actor.role,
        channel=channel,
    )
    return SocialWorker.objects.get(pk=worker.pk).id_number
