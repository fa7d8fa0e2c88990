"""Policy API: the tenant's thresholds with their clauses, for a year; city admins set values."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from stations import permissions
from stations.models import PolicyValue
from stations.policy import DEFINITIONS
from stations.scoping import ScopedAPIView
from stations.selectors import policy_values_visible
from stations.services import policy_value_set


class PolicyValueOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码（DESIGN.md §5），如 coverage_target")
    title = serializers.SerializerMethodField(help_text="规则名称")
    value = serializers.JSONField(
        help_text="取值：比例为 0–1 的小数（不是百分数）；区间为 {min, max}；清单为字符串数组"
    )
    unit = serializers.CharField(
        help_text="单位代码：fraction、count、hours、yuan_per_month、percent_of_minimum_wage…"
    )
    clause = serializers.CharField(help_text="依据条款，如 一(三)1")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True, help_text="null 表示长期有效")

    def get_title(self, row: PolicyValue) -> str:
        definition = DEFINITIONS.get(row.code)
        return str(definition.title) if definition else row.code


class PolicyQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class PolicyValueInputSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(DEFINITIONS))
    value = serializers.JSONField(help_text='比例可写 0.7 或 "70%"；区间 {min, max} 或 "1-2"')
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)
    clause = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(max_length=300, help_text="调整说明：依据的文件或原因")


class PolicyListApi(ScopedAPIView):
    """The tenant's policy values in force on any day of ``year`` (default this year).

    POST (city admins) sets a new value of one code from a date; the period it
    falls into ends the day before. 201 with the new period.
    """

    selector = staticmethod(policy_values_visible)
    model = PolicyValue
    capability = staticmethod(permissions.can_view_policy)
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年份，默认今年")],
        responses={200: PolicyValueOutputSerializer(many=True)},
    )
    def get(self, request):
        query = PolicyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        rows = self.get_queryset().filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=start), effective_from__lte=end
        )
        return Response(PolicyValueOutputSerializer(rows, many=True).data)

    @extend_schema(request=PolicyValueInputSerializer, responses={201: PolicyValueOutputSerializer})
    def post(self, request):
        if not permissions.can_manage_policy(self.membership):
            raise exceptions.PermissionDenied(_("只有市级管理员可以调整政策参数。"))
        data = PolicyValueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = policy_value_set(actor=self.membership, **data.validated_data)
        return Response(PolicyValueOutputSerializer(row).data, status=status.HTTP_201_CREATED)
