"""Organisations API: the tenant's register of social work organisations."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from procurement import permissions, services
from procurement.models import Organisation, OrganisationKind
from procurement.selectors import organisations_visible
from stations.filters import DivisionCodeFilter
from stations.scoping import ScopedAPIView
from stations.validation import api_validated


def require_manager(membership) -> None:
    if not permissions.can_manage_organisations(membership):
        raise PermissionDenied(_("您的角色不能登记或修改社会工作服务机构。"))


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(
        max_length=30, help_text="统一社会信用代码, 18 characters (GB 32100); stored upper case"
    )
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, required=False, allow_blank=True
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    registration_authority = serializers.CharField(max_length=100, required=False, allow_blank=True)
    registered_on = serializers.DateField(required=False, allow_null=True)
    social_work_in_scope = serializers.BooleanField(required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="mobile or landline with area code",
    )
    incubated_by = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="county code of the incubation base, or null",
    )
    incubated_on = serializers.DateField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True)

    def to_representation(self, organisation: Organisation) -> dict:
        data = super().to_representation(organisation)
        data["incubated_by"] = (
            organisation.incubated_by.short_code if organisation.incubated_by else None
        )
        return data


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("机构类型"))
    incubated_by = DivisionCodeFilter(field_name="incubated_by_id", label=_("孵化基地所在县"))
    q = django_filters.CharFilter(method="filter_search", label=_("名称或统一社会信用代码"))

    class Meta:
        model = Organisation
        fields = ["kind", "incubated_by", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name__icontains=value) | queryset.filter(
            uscc__startswith=value.upper()
        )


class OrganisationListApi(ScopedAPIView):
    """The tenant's social work organisations (filters ``kind``, ``incubated_by``, ``q``);
    POST registers one (city admins and county officers). Every field problem is answered
    at once (400)."""

    selector = staticmethod(organisations_visible)
    model = Organisation
    capability = staticmethod(permissions.can_see_organisations)
    filterset_class = OrganisationFilter

    @extend_schema(responses={200: OrganisationSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("name", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OrganisationSerializer(page, many=True).data)

    @extend_schema(request=OrganisationSerializer, responses={201: OrganisationSerializer})
    def post(self, request):
        require_manager(self.membership)
        values = api_validated(
            OrganisationSerializer(data=request.data),
            lambda parsed: services.organisation_check(actor=self.membership, **parsed),
        )
        organisation = services.organisation_create(actor=self.membership, **values)
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


class OrganisationDetailApi(ScopedAPIView):
    """One organisation of the tenant; PATCH changes any of its fields."""

    selector = staticmethod(organisations_visible)
    model = Organisation
    capability = staticmethod(permissions.can_see_organisations)

    @extend_schema(responses={200: OrganisationSerializer})
    def get(self, request, pk: int):
        return Response(OrganisationSerializer(self.get_object()).data)

    @extend_schema(request=OrganisationSerializer, responses={200: OrganisationSerializer})
    def patch(self, request, pk: int):
        organisation = self.get_object()
        require_manager(self.membership)
        values = api_validated(
            OrganisationSerializer(data=request.data, partial=True),
            lambda parsed: services.organisation_check(
                actor=self.membership, organisation=self.get_object(), **parsed
            ),
        )
        changed = services.organisation_update(
            actor=self.membership, organisation=organisation, **values
        )
        return Response(OrganisationSerializer(changed).data)
