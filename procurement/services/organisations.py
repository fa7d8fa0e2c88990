"""Writes of organisations: register or change one, link a contractor's or evaluator's
membership to the organisation it acts for."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement import permissions
from procurement.models import Organisation, OrganisationMember
from procurement.uscc import uscc_normalize
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.history import register_actions
from stations.models import Division, Membership
from stations.services.history import acting
from stations.validation import date_problem, phone_normalize

# The fields a user fills in (the division of the incubation base is given by code).
ORGANISATION_FIELDS = (
    "name",
    "uscc",
    "kind",
    "registration_authority",
    "registered_on",
    "social_work_in_scope",
    "address",
    "contact_person",
    "contact_phone",
    "incubated_by",
    "incubated_on",
    "remarks",
)

register_actions(
    {
        "organisation_create": gettext_lazy("登记了本机构"),
        "organisation_update": gettext_lazy("修改了本机构信息"),
    }
)


def organisation_check(
    *, actor: Membership, organisation: Organisation | None = None, **values
) -> Organisation:
    """The organisation ``values`` describe (new, or ``organisation`` changed), unsaved.

    ``values``: any of ORGANISATION_FIELDS; ``incubated_by`` a county code (full
    or short) of the tenant or None. Raises PermissionDenied, or ValidationError
    with every field problem at once: name missing, USCC malformed (GB 32100) or
    already registered in the tenant, phone not a mobile or a landline with area
    code, an incubation date outside 2000-01-01..today or a registration date
    after today, an incubation date without its base or the reverse.
    """
    if not permissions.can_manage_organisations(actor):
        raise PermissionDenied(_("您的角色不能登记或修改社会工作服务机构。"))
    errors: dict[str, list] = {}
    for field in sorted(set(values) - set(ORGANISATION_FIELDS)):
        errors.setdefault(field, []).append(_("不能通过此方式修改。"))
    target = organisation or Organisation(tenant=actor.tenant)
    if organisation is not None and organisation.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("该机构不在您的管辖范围内。"))
    for field, value in values.items():
        if field in ORGANISATION_FIELDS and field not in ("uscc", "incubated_by", "contact_phone"):
            setattr(target, field, value.strip() if isinstance(value, str) else value)
    if "uscc" in values:
        try:
            target.uscc = uscc_normalize(values["uscc"])
        except ValidationError as error:
            errors.setdefault("uscc", []).extend(error.messages)
        else:
            taken = Organisation.objects.filter(tenant_id=actor.tenant_id, uscc=target.uscc)
            if target.pk:
                taken = taken.exclude(pk=target.pk)
            if taken.exists():
                errors.setdefault("uscc", []).append(
                    _("统一社会信用代码 %(uscc)s 已登记。") % {"uscc": target.uscc}
                )
    if "contact_phone" in values:
        try:
            target.contact_phone = phone_normalize(values["contact_phone"] or "")
        except ValidationError as error:
            errors.setdefault("contact_phone", []).extend(error.messages)
    if "incubated_by" in values:
        target.incubated_by = _county_or_error(actor, values["incubated_by"], errors)
    if target.incubated_on and date_problem(target.incubated_on):
        errors.setdefault("incubated_on", []).append(date_problem(target.incubated_on))
    if target.registered_on and target.registered_on > _today():
        errors.setdefault("registered_on", []).append(_("日期不能晚于今天。"))
    if bool(target.incubated_by_id) != bool(target.incubated_on) and "incubated_by" not in errors:
        errors.setdefault("incubated_on", []).append(_("孵化基地与孵化日期须同时填写。"))
    try:
        target.full_clean(exclude=["tenant", "incubated_by", *errors], validate_unique=False)
    except ValidationError as error:
        error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return target


def organisation_create(*, actor: Membership, **values) -> Organisation:
    """Register an organisation in the actor's tenant (see organisation_check)."""
    organisation = organisation_check(actor=actor, **values)
    try:
        with acting(actor.user, action="organisation_create", tenant=actor.tenant.code):
            organisation.save()
    except IntegrityError as error:  # the same code registered meanwhile
        if "organisation_uscc_per_tenant" not in str(error):
            raise
        raise ValidationError(
            {"uscc": [_("统一社会信用代码 %(uscc)s 已登记。") % {"uscc": organisation.uscc}]}
        ) from error
    return organisation


def organisation_update(*, actor: Membership, organisation: Organisation, **values) -> Organisation:
    """Change an organisation's fields (see organisation_check); all or nothing."""
    fresh = Organisation.objects.get(pk=organisation.pk)
    changed = organisation_check(actor=actor, organisation=fresh, **values)
    with acting(actor.user, action="organisation_update", tenant=actor.tenant.code):
        changed.save()
    return changed


def organisation_member_set(*, membership: Membership, uscc: str) -> OrganisationMember:
    """Make a contractor or evaluator ``membership`` act for the organisation of ``uscc``
    (GB 32100, any case) in its tenant, replacing an earlier link.

    Raises ValidationError ({"organisation": [...]}) for another role, a malformed
    code, or no such organisation in the tenant.
    """
    if not permissions.acts_for_organisation(membership.role):
        raise ValidationError(
            {"organisation": [_("只有承接机构和第三方评估机构的成员隶属于机构。")]}
        )
    try:
        code = uscc_normalize(uscc)
    except ValidationError as error:
        raise ValidationError({"organisation": error.messages}) from error
    organisation = Organisation.objects.filter(tenant_id=membership.tenant_id, uscc=code).first()
    if organisation is None:
        raise ValidationError(
            {"organisation": [_("本市没有统一社会信用代码为 %(uscc)s 的机构。") % {"uscc": code}]}
        )
    link, _created = OrganisationMember.objects.update_or_create(
        membership=membership,
        defaults={"organisation": organisation, "tenant_id": membership.tenant_id},
    )
    return link


def _county_or_error(actor: Membership, code: object, errors: dict) -> Division | None:
    if code in (None, ""):
        return None
    try:
        full = normalize_code(code)
    except InvalidDivisionCode as error:
        errors.setdefault("incubated_by", []).append(str(error))
        return None
    county = Division.objects.filter(
        code=full, level=Level.COUNTY, city_code=actor.tenant.code
    ).first()
    if county is None:
        errors.setdefault("incubated_by", []).append(
            _("“%(code)s”不是本市的县（市、区）。") % {"code": code}
        )
    return county


def _today():
    from django.utils import timezone

    return timezone.localdate()
