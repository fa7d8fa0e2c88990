"""Writes of the workforce app: register or change a social worker, reveal an ID number.

Each runs in one transaction under ``acting`` (history names the user), reports every
problem at once, and never repeats a full ID number in a message.
"""

from __future__ import annotations

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
from stations.validation import phone_normalize, record_id
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

register_actions(
    {
        "social_worker_create": gettext_lazy("登记了该社工"),
        "social_worker_update": gettext_lazy("修改了该社工信息"),
    }
)


def _employer(actor: Membership, value: object, errors: dict) -> Organisation | None:
    if value in (None, ""):
        if permissions.keeps_own_organisation_only(actor.role):
            errors.setdefault("employer", []).append(_("请选择本机构。"))
        return None
    key = value.pk if isinstance(value, Organisation) else value
    employer = Organisation.objects.filter(
        tenant_id=actor.tenant_id, pk=record_id(key) or 0
    ).first()
    if employer is None:
        errors.setdefault("employer", []).append(_("该机构不存在或不在本市登记。"))
        return None
    own = scope_of(actor).ids(ORGANISATIONS)
    if permissions.keeps_own_organisation_only(actor.role) and employer.pk not in (own or ()):
        errors.setdefault("employer", []).append(_("承接机构只能登记本机构的社工。"))
        return None
    return employer


def social_worker_check(
    *, actor: Membership, worker: SocialWorker | None = None, **values: Any
) -> SocialWorker:
    """The worker ``values`` describe (new, or ``worker`` changed), unsaved.

    ``values``: any of SOCIAL_WORKER_FIELDS; ``id_number`` the 18-character resident ID
    number (GB 11643; spaces trimmed, ``x`` stored as ``X``), ``employer`` an organisation
    id. The birth date and gender are taken from the number when not given and must agree
    with it. Raises PermissionDenied, or ValidationError with every problem at once: a
    malformed or 15-digit number, one already registered in the tenant, a birth date or
    gender that disagrees with it, a phone that is not one, an employer outside the city
    (a contractor: other than its own organisation).
    """
    if not permissions.can_manage_social_workers(actor):
        raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))
    if worker is not None and worker.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("该社工不在您的管辖范围内。"))
    errors: dict[str, list] = {}
    for field in sorted(set(values) - set(SOCIAL_WORKER_FIELDS)):
        errors.setdefault(field, []).append(_("不能通过此方式修改。"))
    target = worker or SocialWorker(tenant=actor.tenant)
    if worker is None and actor.scope is not None:
        target.registered_county = actor.scope.county_code
    plain = ("name", "gender", "birth_date", "education", "social_work_major")
    for field in (*plain, "party_member", "status", "remarks"):
        if field in values:
            value = values[field]
            setattr(target, field, value.strip() if isinstance(value, str) else value)
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
            taken = SocialWorker.objects.filter(
                tenant_id=actor.tenant_id, id_number_hash=target.id_number_hash
            )
            if target.pk:
                taken = taken.exclude(pk=target.pk)
            if taken.exists():
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
        unknown = [code for code in chosen if code not in Specialty.values]
        if unknown:
            errors.setdefault("specialties", []).append(
                _("专业领域“%(codes)s”不存在；可用：%(known)s。")
                % {"codes": "、".join(map(str, unknown)), "known": ", ".join(Specialty.values)}
            )
        else:
            target.specialties = [code for code in Specialty.values if code in chosen]
    if "phone" in values:
        try:
            target.phone = phone_normalize(values["phone"] or "")
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    if "employer" in values or (worker is None and "employer" not in errors):
        target.employer = _employer(actor, values.get("employer"), errors)
    try:
        target.full_clean(
            exclude=["tenant", "employer", "id_number", "id_number_hash", *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return target


def _save(actor: Membership, action: str, worker: SocialWorker) -> SocialWorker:
    try:
        with acting(actor.user, action=action, tenant=actor.tenant.code):
            worker.save()
    except IntegrityError as error:  # the same number registered meanwhile
        if "worker_id_number_per_tenant" not in str(error):
            raise
        raise ValidationError(
            {
                "id_number": [
                    _("公民身份号码 %(number)s 已登记。") % {"number": worker.id_number_masked}
                ]
            }
        ) from error
    return worker


def social_worker_create(*, actor: Membership, **values: Any) -> SocialWorker:
    """Register a social worker (see social_worker_check); all or nothing, with history."""
    return _save(actor, "social_worker_create", social_worker_check(actor=actor, **values))


def social_worker_update(*, actor: Membership, worker: SocialWorker, **values: Any) -> SocialWorker:
    """Change a social worker's fields (see social_worker_check); all or nothing."""
    fresh = SocialWorker.objects.get(pk=worker.pk)
    return _save(
        actor, "social_worker_update", social_worker_check(actor=actor, worker=fresh, **values)
    )


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
