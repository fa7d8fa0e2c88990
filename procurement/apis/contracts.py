"""Contracts API: list (filters), record, read, change, terminate, and the signed PDF.

Field names are fixed by issue 9: ``number, title, purchaser`` (division code of
the county or city), ``organisation`` (id), ``kind``, ``signed_on, start, end``,
``amount`` (yuan, decimal string), ``funding`` [{"source", "amount"}],
``facilities`` [{"facility", "stationed_workers"}], ``pay`` {"unlicensed",
"assistant", "social_worker"} (yuan a month), ``clauses`` {code: where stated},
``status`` (on today). Enumerations are codes with their Chinese label beside.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from procurement import permissions, services
from procurement.models import (
    Contract,
    ContractClause,
    ContractKind,
    ContractState,
    ContractStatus,
    FundingSource,
)
from procurement.selectors import contract_detail, contracts_visible, live_on, status_filter
from stations.scoping import ScopedAPIView
from stations.validation import api_names, api_validated

# API name → service value name, where they differ.
RENAMED = {"start": "start_on", "end": "end_on", "organisation_id": "organisation"}
# A service error's field → the API's field.
API_NAMES = {"start_on": "start", "end_on": "end", "terminated_on": "on"}


class FundingSerializer(serializers.Serializer):
    # Declared fields leave the class namespace, so this does not shadow Field.source.
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="yuan")


class CoveredFacilitySerializer(serializers.Serializer):
    facility = serializers.IntegerField(source="facility_id", help_text="facility id")
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    division = serializers.CharField(source="facility.division.short_code", read_only=True)
    county = serializers.CharField(source="facility.county_code", read_only=True)
    stationed_workers = serializers.IntegerField(
        min_value=0, max_value=100, help_text="stationed social workers promised"
    )


class PaySerializer(serializers.Serializer):
    unlicensed = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, help_text="yuan/month"
    )
    assistant = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="yuan/month, 助理社会工作师",
    )
    social_worker = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="yuan/month, 社会工作师",
    )


class ContractPaySerializer(PaySerializer):
    """The promised pay, read from the contract's three fields; written as one object."""

    def to_representation(self, contract: Contract) -> dict:
        return {
            key: None if value is None else f"{value:.2f}"
            for key, value in (
                ("unlicensed", contract.pay_unlicensed),
                ("assistant", contract.pay_assistant),
                ("social_worker", contract.pay_social_worker),
            )
        }


class ContractSerializer(serializers.Serializer):
    """A contract. With ``county`` in the context (a county officer's scope), the covered
    facilities of other counties (of a city contract) are left out."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(max_length=60, help_text="unique in the tenant")
    title = serializers.CharField(max_length=200)
    purchaser = serializers.CharField(help_text="division code of the purchasing county or city")
    purchaser_name = serializers.CharField(source="purchaser.name", read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id", help_text="supplier organisation id"
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.ChoiceField(choices=ContractKind.choices)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.ChoiceField(
        choices=[ContractState.DRAFT, ContractState.SIGNED],
        required=False,
        help_text="draft or signed; terminate with POST …/terminate/",
    )
    status = serializers.SerializerMethodField(help_text="status today: ContractStatus code")
    status_display = serializers.SerializerMethodField()
    signed_on = serializers.DateField(required=False, allow_null=True)
    start = serializers.DateField(source="start_on")
    end = serializers.DateField(source="end_on")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="yuan")
    funding = FundingSerializer(many=True, required=False)
    facilities = CoveredFacilitySerializer(many=True, required=False, source="coverage")
    pay = ContractPaySerializer(
        required=False, source="*", help_text="promised monthly pay by qualification, yuan"
    )
    clauses = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text="{clause code: where the contract states it}; codes: "
        + ", ".join(ContractClause.values),
    )
    published = serializers.BooleanField(required=False)
    published_where = serializers.CharField(max_length=300, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    terminated_on = serializers.DateField(read_only=True)
    termination_reason = serializers.CharField(read_only=True)
    has_document = serializers.SerializerMethodField()
    remarks = serializers.CharField(required=False, allow_blank=True)

    def get_status(self, contract: Contract) -> str:
        return contract.status_on(timezone.localdate())

    def get_status_display(self, contract: Contract) -> str:
        return str(ContractStatus(self.get_status(contract)).label)

    def get_has_document(self, contract: Contract) -> bool:
        return bool(contract.document)

    def to_representation(self, contract: Contract) -> dict:
        data = super().to_representation(contract)
        data["purchaser"] = contract.purchaser.short_code
        county = self.context.get("county")
        if county:
            data["facilities"] = [row for row in data["facilities"] if row["county"] == county]
        return data


MAX_ID = 2**63 - 1  # ids are bigint
PAY_KEYS = ("unlicensed", "assistant", "social_worker")


def service_values(parsed: dict) -> dict:
    """The serializer's values as the service's keyword values: from validated data (keyed
    by source) or from the fields parsed one by one (keyed by field name)."""
    values = {RENAMED.get(key, key): value for key, value in parsed.items()}
    rows = values.pop("coverage", None)
    if rows is None:
        rows = values.pop("facilities", None)
    if rows is not None:
        values["facilities"] = [
            {
                "facility": row.get("facility_id", row.get("facility")),
                "stationed_workers": row.get("stationed_workers"),
            }
            for row in rows
        ]
    if "funding" in values:
        values["funding"] = [dict(row) for row in values["funding"]]
    pay = dict(values.pop("pay", None) or {})
    pay.update({key: values.pop(key) for key in PAY_KEYS if key in values})
    if pay or "pay" in parsed:
        values["pay"] = pay
    return values


class ContractFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(method="filter_county", label=_("县（市、区）代码"))
    organisation = django_filters.NumberFilter(
        field_name="organisation_id", label=_("承接机构"), min_value=1, max_value=MAX_ID
    )
    status = django_filters.ChoiceFilter(
        choices=ContractStatus.choices, method="filter_status", label=_("状态（今天）")
    )
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices, label=_("合同类型"))
    covers = django_filters.NumberFilter(
        method="filter_covers", label=_("覆盖站点（id）"), min_value=1, max_value=MAX_ID
    )
    in_force_on = django_filters.DateFilter(method="filter_in_force", label=_("在某日生效"))
    ending_within = django_filters.NumberFilter(
        method="filter_ending", label=_("N 天内到期（履行中）"), min_value=0, max_value=3650
    )
    q = django_filters.CharFilter(method="filter_search", label=_("编号或名称"))

    class Meta:
        model = Contract
        fields = ["county", "organisation", "status", "kind", "covers", "in_force_on", "q"]

    def filter_county(self, queryset, name, value):
        code = str(value).strip()[:6]
        return queryset.filter(county_code=code) | queryset.filter(
            coverage__facility__county_code=code
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_filter(value, timezone.localdate()))

    def filter_covers(self, queryset, name, value):
        return queryset.filter(coverage__facility_id=value)

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(live_on(value))

    def filter_ending(self, queryset, name, value):
        import datetime

        today = timezone.localdate()
        return queryset.filter(
            live_on(today), live_until__lte=today + datetime.timedelta(days=int(value))
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(number__icontains=value) | queryset.filter(title__icontains=value)


class ContractApiBase(ScopedAPIView):
    selector = staticmethod(contract_detail)
    model = Contract
    capability = staticmethod(permissions.can_see_contracts)

    def context_of(self) -> dict:
        """The serializer context: a county scope sees its own county's covered facilities."""
        return {"county": self.scope.county_code}


def require_contract_manager(membership, contract: Contract | None = None) -> None:
    allowed = (
        permissions.can_manage_contracts(membership)
        if contract is None
        else permissions.can_manage_contract(membership, contract)
    )
    if not allowed:
        raise PermissionDenied(_("只有采购人（县级或市级民政部门）可以登记或修改合同。"))


class ContractListApi(ContractApiBase):
    """Contracts in scope (filters ``county``, ``organisation``, ``status``, ``kind``,
    ``covers`` = facility id, ``in_force_on`` = date, ``ending_within`` = days, ``q``);
    POST records one (its purchaser: a county officer for their county, a city admin).
    Every problem is answered at once (400), nothing written."""

    filterset_class = ContractFilter

    @extend_schema(responses={200: ContractSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).distinct().order_by("-start_on", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            ContractSerializer(page, many=True, context=self.context_of()).data
        )

    @extend_schema(request=ContractSerializer, responses={201: ContractSerializer})
    def post(self, request):
        require_contract_manager(self.membership)

        def check(values):
            with api_names(API_NAMES):
                services.contract_check(actor=self.membership, **service_values(values))

        parsed = api_validated(ContractSerializer(data=request.data), check)
        with api_names(API_NAMES):
            contract = services.contract_create(actor=self.membership, **service_values(parsed))
        fresh = self.get_queryset().get(pk=contract.pk)
        return Response(
            ContractSerializer(fresh, context=self.context_of()).data,
            status=status.HTTP_201_CREATED,
        )


class ContractDetailApi(ContractApiBase):
    """One contract; PATCH changes any of its fields (facilities and funding are replaced
    as a whole when given)."""

    @extend_schema(responses={200: ContractSerializer})
    def get(self, request, pk: int):
        return Response(ContractSerializer(self.get_object(), context=self.context_of()).data)

    @extend_schema(request=ContractSerializer, responses={200: ContractSerializer})
    def patch(self, request, pk: int):
        contract = self.get_object()
        require_contract_manager(self.membership, contract)

        def check(values):
            with api_names(API_NAMES):
                services.contract_check(
                    actor=self.membership,
                    contract=Contract.objects.get(pk=contract.pk),
                    **service_values(values),
                )

        parsed = api_validated(ContractSerializer(data=request.data, partial=True), check)
        with api_names(API_NAMES):
            services.contract_update(
                actor=self.membership, contract=contract, **service_values(parsed)
            )
        return Response(ContractSerializer(self.get_object(), context=self.context_of()).data)


class ContractTerminateApi(ContractApiBase):
    """POST {"on": last day in force, "reason"}: terminate a signed contract early."""

    class TerminateSerializer(serializers.Serializer):
        on = serializers.DateField(help_text="the contract's last day in force")
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=TerminateSerializer, responses={200: ContractSerializer})
    def post(self, request, pk: int):
        contract = self.get_object()
        require_contract_manager(self.membership, contract)
        parsed = api_validated(
            self.TerminateSerializer(data=request.data),
            lambda values: services.contract_terminate_check(
                actor=self.membership,
                contract=contract,
                on=values.get("on"),
                reason=values.get("reason", ""),
            ),
        )
        services.contract_terminate(
            actor=self.membership, contract=contract, on=parsed["on"], reason=parsed["reason"]
        )
        return Response(ContractSerializer(self.get_object(), context=self.context_of()).data)


class ContractDocumentApi(ContractApiBase):
    """GET the signed contract (PDF) of a contract in scope; POST (multipart ``document``)
    replaces it (its purchaser; a PDF of at most PDF_UPLOAD_MAX_MB megabytes)."""

    selector = staticmethod(contracts_visible)
    parser_classes = [MultiPartParser]

    class DocumentSerializer(serializers.Serializer):
        document = serializers.FileField()

    def get(self, request, pk: int):
        contract = self.get_object()
        if not contract.document:
            raise Http404
        return FileResponse(
            contract.document.open("rb"),
            as_attachment=True,
            filename=f"{contract.number}.pdf",
            content_type="application/pdf",
        )

    @extend_schema(request=DocumentSerializer, responses={200: ContractSerializer})
    def post(self, request, pk: int):
        contract = self.get_object()
        require_contract_manager(self.membership, contract)
        parsed = api_validated(
            self.DocumentSerializer(data=request.data),
            lambda values: services.contract_check(
                actor=self.membership, contract=contract, **values
            ),
        )
        services.contract_update(
            actor=self.membership, contract=contract, document=parsed["document"]
        )
        return Response(
            ContractSerializer(
                contract_detail(self.scope).get(pk=pk), context=self.context_of()
            ).data
        )
