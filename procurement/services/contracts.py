"""Writes of contracts (采购合同): record or change one, terminate it early.

A contract is recorded as signed, even where it breaks a rule of the plan
(a term over three years, a clause missing, pay under the floors): compliance
flags those with their clause. Only what cannot be true is refused, every
problem at once: an end before its start, funding that does not add up to the
amount, a facility outside the purchaser's area or listed twice, a station
already run under another live station-operation contract on one of the days.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement import permissions
from procurement.models import (
    Contract,
    ContractClause,
    ContractFacility,
    ContractFunding,
    ContractKind,
    ContractState,
    FundingSource,
    Organisation,
)
from procurement.signals import contract_terminated
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.history import register_actions
from stations.models import Division, Facility, FacilityLevel, Membership
from stations.services.history import acting
from stations.validation import date_problem, pdf_problems, record_id, sha256_of

# The fields of a contract row a user fills in; facilities, funding, pay and the
# document are given as their own values (see contract_check).
CONTRACT_FIELDS = (
    "number",
    "title",
    "purchaser",
    "organisation",
    "kind",
    "state",
    "signed_on",
    "start_on",
    "end_on",
    "amount",
    "clauses",
    "published",
    "published_where",
    "published_on",
    "remarks",
)
CONTRACT_VALUES = (*CONTRACT_FIELDS, "facilities", "funding", "pay", "document")
# The facility levels a contract covers: stations and county guidance centres.
COVERED_LEVELS = (FacilityLevel.TOWNSHIP_STATION, FacilityLevel.COUNTY_CENTRE)
PAY_FIELDS = {"unlicensed": "pay_unlicensed", "assistant": "pay_assistant"}
PAY_FIELDS["social_worker"] = "pay_social_worker"

register_actions(
    {
        "contract_create": gettext_lazy("登记了本合同"),
        "contract_update": gettext_lazy("修改了本合同"),
        "contract_terminate": gettext_lazy("提前终止了本合同"),
    }
)


# The largest amount the columns hold (14 digits, 2 decimals): about a trillion yuan.
AMOUNT_LIMIT = Decimal("1e12")


def _decimal(value: Any) -> Decimal | None:
    """``value`` as a Decimal of yuan, None when blank; InvalidOperation when it is not a
    number of yuan the platform can hold (finite, under AMOUNT_LIMIT in size)."""
    if value in (None, ""):
        return None
    number = Decimal(str(value).replace(",", "").strip())
    if not number.is_finite() or abs(number) >= AMOUNT_LIMIT:
        raise InvalidOperation
    return number


def _purchaser(actor: Membership, code: object, errors: dict) -> Division | None:
    """The county or city division ``code`` names, if the actor may buy for it."""
    if code in (None, ""):
        errors.setdefault("purchaser", []).append(_("请选择采购人（县级或市级民政部门）。"))
        return None
    try:
        full = normalize_code(code)
    except InvalidDivisionCode as error:
        errors.setdefault("purchaser", []).append(str(error))
        return None
    division = Division.objects.filter(
        code=full, level__in=[Level.COUNTY, Level.CITY], city_code=actor.tenant.code
    ).first()
    if division is None:
        errors.setdefault("purchaser", []).append(
            _("“%(code)s”不是本市或本市的县（市、区）。") % {"code": code}
        )
        return None
    county = division.county_code if division.level == Level.COUNTY else ""
    probe = Contract(tenant_id=actor.tenant_id, county_code=county)
    if not permissions.can_manage_contract(actor, probe):
        errors.setdefault("purchaser", []).append(_("您只能登记本县（市、区）民政部门采购的合同。"))
        return None
    return division


def _organisation(actor: Membership, value: object, errors: dict) -> Organisation | None:
    if value in (None, ""):
        errors.setdefault("organisation", []).append(_("请选择承接机构。"))
        return None
    key = value.pk if isinstance(value, Organisation) else record_id(value)
    organisation = Organisation.objects.filter(tenant_id=actor.tenant_id, pk=key or 0).first()
    if organisation is None:
        errors.setdefault("organisation", []).append(_("该机构不存在或不在本市登记。"))
    return organisation


def _funding(values: object, amount: Decimal | None, errors: dict) -> dict[str, Decimal]:
    """``values`` ({source: amount} or [{"source", "amount"}]) checked: known sources, each
    once, amounts above 0, and together the contract's amount."""
    pairs: list[tuple[Any, Any]]
    if isinstance(values, Mapping):
        pairs = list(values.items())
    else:
        items = values if isinstance(values, list | tuple) else ()
        pairs = [(item.get("source"), item.get("amount")) for item in items]
    funding: dict[str, Decimal] = {}
    for source, raw in pairs:
        if source not in FundingSource.values:
            errors.setdefault("funding", []).append(
                _("资金来源“%(source)s”不存在。") % {"source": source}
            )
            continue
        label = FundingSource(source).label
        try:
            money = _decimal(raw)
        except InvalidOperation:
            errors.setdefault("funding", []).append(
                _("%(source)s的金额“%(value)s”不是有效的金额（元）。")
                % {"source": label, "value": raw}
            )
            continue
        if money is None or money == 0:
            continue
        if money < 0:
            errors.setdefault("funding", []).append(
                _("%(source)s的金额不能为负数。") % {"source": label}
            )
        elif source in funding:
            errors.setdefault("funding", []).append(
                _("资金来源“%(source)s”填写了两次。") % {"source": label}
            )
        else:
            funding[source] = money.quantize(Decimal("0.01"))
    if amount is not None and "funding" not in errors:
        total = sum(funding.values(), Decimal("0"))
        if total != amount:
            errors.setdefault("funding", []).append(
                _("各资金来源合计 %(total)s 元，与合同金额 %(amount)s 元不一致。")
                % {"total": f"{total:,.2f}", "amount": f"{amount:,.2f}"}
            )
    return funding


def _facilities(
    actor: Membership, rows: Iterable[Mapping[str, Any]], purchaser: Division | None, errors: dict
) -> list[tuple[Facility, int]]:
    """The covered facilities: of the tenant, a station or county centre, inside the
    purchaser's area, each once, with a whole number of stationed workers (0 or more)."""
    wanted: list[tuple[Any, Any]] = [
        (row.get("facility"), row.get("stationed_workers")) for row in rows or ()
    ]
    ids = [number for key, _n in wanted if (number := record_id(key)) is not None]
    found = {
        facility.pk: facility
        for facility in Facility.objects.filter(tenant_id=actor.tenant_id, pk__in=ids)
        .select_related("division")
        .order_by()
    }
    chosen: list[tuple[Facility, int]] = []
    seen: set[int] = set()
    for key, workers in wanted:
        facility = found.get(record_id(key) or 0)
        if facility is None:
            errors.setdefault("facilities", []).append(
                _("站点“%(id)s”不存在或不在本市。") % {"id": key}
            )
            continue
        if facility.pk in seen:
            errors.setdefault("facilities", []).append(
                _("“%(name)s”重复列出。") % {"name": facility.name}
            )
            continue
        seen.add(facility.pk)
        if facility.level not in COVERED_LEVELS:
            errors.setdefault("facilities", []).append(
                _("“%(name)s”是%(level)s；合同覆盖的是乡镇（街道）社工站和县级指导中心。")
                % {"name": facility.name, "level": facility.get_level_display()}
            )
            continue
        outside = (
            purchaser is not None
            and purchaser.level == Level.COUNTY
            and facility.county_code != purchaser.county_code
        )
        if outside:
            assert purchaser is not None
            errors.setdefault("facilities", []).append(
                _("“%(name)s”不在采购人%(purchaser)s的辖区内。")
                % {"name": facility.name, "purchaser": purchaser.name}
            )
            continue
        try:
            count = int(str(workers).strip()) if workers not in (None, "") else -1
        except ValueError:
            count = -1
        if count < 0 or count > 100:
            errors.setdefault("facilities", []).append(
                _("“%(name)s”的承诺驻站社工人数须为 0–100 的整数。") % {"name": facility.name}
            )
            continue
        chosen.append((facility, count))
    return chosen


def _clauses(values: object, errors: dict) -> dict[str, str]:
    """{clause code: where the contract states it}; a ticked clause may leave the place blank."""
    if values in (None, ""):
        return {}
    if not isinstance(values, Mapping):
        errors.setdefault("clauses", []).append(_("条款应为 {条款代码: 所在位置}。"))
        return {}
    clauses: dict[str, str] = {}
    for code, where in values.items():
        if code not in ContractClause.values:
            errors.setdefault("clauses", []).append(
                _("条款代码“%(code)s”不存在；可用：%(codes)s。")
                % {"code": code, "codes": ", ".join(ContractClause.values)}
            )
            continue
        text = str(where or "").strip()
        if len(text) > 200:
            errors.setdefault("clauses", []).append(
                _("%(clause)s的位置说明超过 200 字。") % {"clause": ContractClause(code).label}
            )
        clauses[code] = text
    return clauses


def _overlaps(contract: Contract, facilities: list[tuple[Facility, int]], errors: dict) -> None:
    """A station-operation contract live on a day another one covering the same facility is."""
    if contract.kind != ContractKind.STATION_OPERATION or contract.state == ContractState.DRAFT:
        return
    if contract.start_on is None or contract.end_on is None or contract.end_on < contract.start_on:
        return
    until = contract.terminated_on or contract.end_on
    others = (
        ContractFacility.objects.filter(
            facility_id__in=[facility.pk for facility, _n in facilities],
            kind=ContractKind.STATION_OPERATION,
            live_from__lte=until,
            live_until__gte=contract.start_on,
        )
        .exclude(contract_id=contract.pk)
        .select_related("contract", "facility")
        .order_by("facility_id")
    )
    for row in others:
        errors.setdefault("facilities", []).append(
            _(
                "“%(name)s”在 %(start)s 至 %(end)s 已由合同 %(number)s 运营，"
                "同一站点同一天只能有一份生效的站点运营合同。"
            )
            % {
                "name": row.facility.name,
                "start": row.live_from,
                "end": row.live_until,
                "number": row.contract.number,
            }
        )


def contract_check(
    *, actor: Membership, contract: Contract | None = None, **values: Any
) -> tuple[Contract, list[tuple[Facility, int]] | None, dict[str, Decimal] | None]:
    """The contract ``values`` describe (new, or ``contract`` changed), unsaved, with its
    facilities [(facility, stationed workers)] and funding {source: yuan} (None: unchanged).

    ``values``: any of CONTRACT_VALUES; ``purchaser`` a county or city division code,
    ``organisation`` an id or Organisation, ``amount`` yuan (decimal string),
    ``facilities`` [{"facility": id, "stationed_workers": n}], ``funding``
    {source: yuan} or [{"source", "amount"}], ``pay`` {"unlicensed", "assistant",
    "social_worker": yuan a month or None}, ``clauses`` {ContractClause code: where},
    ``document`` an uploaded PDF. A new contract needs number, title, purchaser,
    organisation, kind, start_on, end_on and amount. Raises PermissionDenied, or
    ValidationError with every problem at once (see the module docstring).
    """
    if not permissions.can_manage_contracts(actor):
        raise PermissionDenied(_("您的角色不能登记或修改合同。"))
    if contract is not None and not permissions.can_manage_contract(actor, contract):
        raise PermissionDenied(_("只有采购人可以修改该合同。"))
    errors: dict[str, list] = {}
    for field in sorted(set(values) - set(CONTRACT_VALUES)):
        errors.setdefault(field, []).append(_("不能通过此方式修改。"))
    target = contract or Contract(tenant=actor.tenant)
    text_fields = ("number", "title", "published_where", "remarks")
    for field in text_fields:
        if field in values:
            setattr(target, field, str(values[field] or "").strip())
    for field in ("kind", "signed_on", "start_on", "end_on", "published", "published_on"):
        if field in values:
            setattr(target, field, values[field])
    if "state" in values:
        if values["state"] not in (ContractState.DRAFT, ContractState.SIGNED):
            errors.setdefault("state", []).append(
                _("只能保存为草稿或已签订；提前终止请用“终止合同”。")
            )
        elif target.state == ContractState.TERMINATED:
            errors.setdefault("state", []).append(_("已终止的合同不能改回。"))
        else:
            target.state = values["state"]
    if "purchaser" in values:
        purchaser = _purchaser(actor, values["purchaser"], errors)
        if purchaser is not None:
            target.purchaser = purchaser
            target.county_code = purchaser.county_code if purchaser.level == Level.COUNTY else ""
    elif contract is None:
        _purchaser(actor, None, errors)
    if "organisation" in values or contract is None:
        organisation = _organisation(actor, values.get("organisation"), errors)
        if organisation is not None:
            target.organisation = organisation
    if "amount" in values:
        try:
            amount = _decimal(values["amount"])
        except InvalidOperation:
            errors.setdefault("amount", []).append(_("合同金额须为有效的金额（元）。"))
        else:
            if amount is None:
                errors.setdefault("amount", []).append(_("请填写合同金额。"))
            elif amount <= 0:
                errors.setdefault("amount", []).append(_("合同金额须大于 0。"))
            else:
                target.amount = amount.quantize(Decimal("0.01"))
    if "pay" in values:
        pay = values["pay"] or {}
        for key in sorted(set(pay) - set(PAY_FIELDS)):
            errors.setdefault("pay", []).append(
                _("薪酬档次“%(key)s”不存在；可用：%(keys)s。")
                % {"key": key, "keys": ", ".join(PAY_FIELDS)}
            )
        for key, field in PAY_FIELDS.items():
            if key not in pay:
                continue
            try:
                money = _decimal(pay[key])
            except InvalidOperation:
                errors.setdefault(field, []).append(_("月薪须为有效的金额（元）。"))
                continue
            if money is not None and money < 0:
                errors.setdefault(field, []).append(_("月薪不能为负数。"))
                continue
            setattr(target, field, None if money is None else money.quantize(Decimal("0.01")))
    if "clauses" in values:
        target.clauses = _clauses(values["clauses"], errors)
    if target.signed_on and date_problem(target.signed_on):
        errors.setdefault("signed_on", []).append(date_problem(target.signed_on))
    if target.state != ContractState.DRAFT and not target.signed_on:
        errors.setdefault("signed_on", []).append(_("已签订的合同须填写签订日期。"))
    for field in ("start_on", "end_on"):
        day = getattr(target, field)
        if day is None:
            errors.setdefault(field, []).append(_("请填写日期。"))
        elif date_problem(day, future=True):
            errors.setdefault(field, []).append(date_problem(day, future=True))
    if target.start_on and target.end_on and target.end_on < target.start_on:
        errors.setdefault("end_on", []).append(_("服务结束日期不能早于开始日期。"))
    if target.published_on and date_problem(target.published_on):
        errors.setdefault("published_on", []).append(date_problem(target.published_on))
    if target.published and not target.published_where:
        errors.setdefault("published_where", []).append(_("已公开的合同请填写公开渠道。"))
    if target.number:
        taken = Contract.objects.filter(tenant_id=actor.tenant_id, number=target.number)
        if target.pk:
            taken = taken.exclude(pk=target.pk)
        if taken.exists():
            errors.setdefault("number", []).append(
                _("合同编号 %(number)s 已登记。") % {"number": target.number}
            )
    if target.state == ContractState.TERMINATED and target.terminated_on:
        if target.end_on and target.terminated_on > target.end_on:
            errors.setdefault("end_on", []).append(
                _("合同已于 %(day)s 终止，结束日期不能早于终止日期。")
                % {"day": target.terminated_on}
            )
        if target.start_on and target.terminated_on < target.start_on:
            errors.setdefault("start_on", []).append(
                _("合同已于 %(day)s 终止，开始日期不能晚于终止日期。")
                % {"day": target.terminated_on}
            )
    funding = None
    if "funding" in values or "amount" in values:
        current = values.get("funding")
        if current is None and target.pk:
            current = {row.source: row.amount for row in target.funding.all()}
        funding = _funding(current, target.amount if "amount" not in errors else None, errors)
        if "funding" not in values:
            funding = None
    purchaser_now = target.purchaser if target.purchaser_id else None
    facilities = None
    if "facilities" in values or "purchaser" in values or "kind" in values:
        rows = values.get("facilities")
        if rows is None and target.pk:
            rows = [
                {"facility": row.facility_id, "stationed_workers": row.stationed_workers}
                for row in target.coverage.all()
            ]
        facilities = _facilities(actor, rows or [], purchaser_now, errors)
        if (
            target.kind == ContractKind.STATION_OPERATION
            and not facilities
            and "facilities" not in errors
        ):
            errors.setdefault("facilities", []).append(
                _("站点运营合同须至少覆盖一个社工站或指导中心。")
            )
    if "document" in values and values["document"] is not None:
        problems = pdf_problems(values["document"], max_mb=settings.PDF_UPLOAD_MAX_MB)
        if problems:
            errors.setdefault("document", []).extend(problems)
    covered = facilities
    if covered is None and target.pk:
        covered = [(row.facility, row.stationed_workers) for row in target.coverage.all()]
    if "facilities" not in errors:
        _overlaps(target, covered or [], errors)
    try:
        target.full_clean(
            exclude=["tenant", "purchaser", "organisation", "clauses", "document", *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return target, facilities, funding


def _write(
    contract: Contract,
    facilities: list[tuple[Facility, int]] | None,
    funding: dict[str, Decimal] | None,
    document: Any,
) -> None:
    """Save ``contract`` with its coverage and funding; coverage copies its live days."""
    if document is not None:
        contract.document_sha256 = sha256_of(document)
        contract.document.save(f"{contract.number}.pdf", document, save=False)
    contract.save()
    contract.refresh_from_db(fields=["live_until"])
    if facilities is not None:
        keep = {facility.pk: workers for facility, workers in facilities}
        contract.coverage.exclude(facility_id__in=keep).delete()
        existing = {row.facility_id: row for row in contract.coverage.all()}
        for facility_id, workers in keep.items():
            row = existing.get(facility_id) or ContractFacility(
                tenant_id=contract.tenant_id, contract=contract, facility_id=facility_id
            )
            row.stationed_workers = workers
            _copy_live_days(contract, row)
            row.save()
    else:
        for row in contract.coverage.all():
            _copy_live_days(contract, row)
            row.save()
    if funding is not None:
        contract.funding.exclude(source__in=funding).delete()
        for source, amount in funding.items():
            ContractFunding.objects.update_or_create(
                contract=contract,
                source=source,
                defaults={"amount": amount, "tenant_id": contract.tenant_id},
            )


def _copy_live_days(contract: Contract, row: ContractFacility) -> None:
    row.kind = contract.kind
    signed = contract.state != ContractState.DRAFT
    row.live_from = contract.start_on if signed else None
    row.live_until = contract.live_until if signed else None


def _lock_facilities(facilities: Iterable[tuple[Facility, int]] | None) -> None:
    """Serialise contract writes on the same facilities, so the overlap check cannot race."""
    ids = sorted(facility.pk for facility, _n in facilities or ())
    list(Facility.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _save_checked(actor: Membership, action: str, contract_pk: int | None, values: dict):
    document = values.get("document")
    with acting(actor.user, action=action, tenant=actor.tenant.code):
        contract = None
        if contract_pk is not None:
            contract = Contract.objects.select_for_update(of=("self",)).get(pk=contract_pk)
        checked, facilities, funding = contract_check(actor=actor, contract=contract, **values)
        covered = facilities
        if covered is None and checked.pk:
            covered = [(row.facility, row.stationed_workers) for row in checked.coverage.all()]
        _lock_facilities(covered)
        errors: dict[str, list] = {}
        _overlaps(checked, covered or [], errors)  # again, under the lock
        if errors:
            raise ValidationError(errors)
        try:
            _write(checked, facilities, funding, document)
        except IntegrityError as error:
            if document is not None and checked.document:
                checked.document.delete(save=False)  # the row is rolled back: no orphan file
            if "overlapping station contract" in str(error):
                raise ValidationError(
                    {"facilities": [_("有站点同一天已由另一份站点运营合同覆盖。")]}
                ) from error
            if "contract_number_per_tenant" in str(error):  # registered meanwhile
                raise ValidationError(
                    {"number": [_("合同编号 %(number)s 已登记。") % {"number": checked.number}]}
                ) from error
            raise
    return checked


def contract_create(*, actor: Membership, **values: Any) -> Contract:
    """Record a contract (see contract_check); all or nothing, with history."""
    return _save_checked(actor, "contract_create", None, values)


def contract_update(*, actor: Membership, contract: Contract, **values: Any) -> Contract:
    """Change a contract's fields, coverage or funding (see contract_check); all or nothing."""
    return _save_checked(actor, "contract_update", contract.pk, values)


def contract_terminate_check(
    *, actor: Membership, contract: Contract, on: datetime.date | None, reason: str
) -> None:
    """Why ``contract`` cannot be terminated on ``on`` (its last day in force) for ``reason``.

    Raises PermissionDenied (not its purchaser), or ValidationError with every
    problem: a draft or already terminated contract, no date, a date outside its
    term or not before its end (that is not early), no reason.
    """
    if not permissions.can_manage_contract(actor, contract):
        raise PermissionDenied(_("只有采购人可以终止该合同。"))
    errors: dict[str, list] = {}
    if contract.state == ContractState.DRAFT:
        errors.setdefault("__all__", []).append(_("草稿合同尚未签订，无需终止，可直接修改。"))
    elif contract.state == ContractState.TERMINATED:
        errors.setdefault("__all__", []).append(
            _("该合同已于 %(day)s 终止。") % {"day": contract.terminated_on}
        )
    if on is None:
        errors.setdefault("on", []).append(_("请填写终止日期（最后履行日）。"))
    elif on < contract.start_on or on >= contract.end_on:
        errors.setdefault("on", []).append(
            _("终止日期须在 %(start)s 至 %(end)s 之前（合同期内、早于结束日期）。")
            % {"start": contract.start_on, "end": contract.end_on}
        )
    elif date_problem(on, future=True):
        errors.setdefault("on", []).append(date_problem(on, future=True))
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("请填写终止原因。"))
    elif len(reason.strip()) > 300:
        errors.setdefault("reason", []).append(_("终止原因不能超过 300 字。"))
    if errors:
        raise ValidationError(errors)


def contract_terminate(
    *, actor: Membership, contract: Contract, on: datetime.date | None, reason: str
) -> Contract:
    """Terminate a signed contract early: ``on`` is its last day in force (see the check).

    Its facilities are no longer covered by it from the day after; ``contract_terminated``
    tells the apps above (workforce ends the posts held under it).
    """
    with acting(actor.user, action="contract_terminate", tenant=actor.tenant.code, reason=reason):
        fresh = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        contract_terminate_check(actor=actor, contract=fresh, on=on, reason=reason)
        fresh.state = ContractState.TERMINATED
        fresh.terminated_on = on
        fresh.termination_reason = reason.strip()
        fresh.save()
        fresh.refresh_from_db(fields=["live_until"])
        for row in fresh.coverage.all():
            _copy_live_days(fresh, row)
            row.save()
        contract_terminated.send(sender=Contract, contract=fresh, on=on, actor=actor)
    return fresh
