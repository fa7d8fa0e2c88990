"""Coverage API: figures for a date and the monthly timeline."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from stations import permissions
from stations.coverage import MAX_TIMELINE_MONTHS, coverage_at, coverage_timeline
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.models import CoverageOverride, Division
from stations.scoping import ScopedAPIView
from stations.selectors import coverage_overrides_visible, division_get, in_force_on
from stations.services import coverage_override_end, coverage_override_set

COVERAGE_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


# Coverage is asked for days of the platform's era; a year-1 date would only
# break the date arithmetic of the timeline.
EARLIEST = datetime.date(2000, 1, 1)


def _check_day(value: datetime.date) -> datetime.date:
    if value > timezone.localdate():
        raise serializers.ValidationError(_("日期不能晚于今天。"))
    if value < EARLIEST:
        raise serializers.ValidationError(_("日期不能早于 2000-01-01。"))
    return value


class CoverageQuerySerializer(serializers.Serializer):
    division = serializers.CharField(required=False)
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value: datetime.date) -> datetime.date:
        return _check_day(value)


class TimelineQuerySerializer(serializers.Serializer):
    division = serializers.CharField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate_start(self, value: datetime.date) -> datetime.date:
        return _check_day(value)

    def validate_end(self, value: datetime.date) -> datetime.date:
        return _check_day(value)

    def validate(self, attrs):
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end.replace(year=end.year - 2, day=1)
        if end > timezone.localdate():
            raise serializers.ValidationError({"end": _("日期不能晚于今天。")})
        if start > end:
            raise serializers.ValidationError({"start": _("开始日期不能晚于结束日期。")})
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > MAX_TIMELINE_MONTHS:
            raise serializers.ValidationError(
                {"start": _("时间跨度不能超过 %(n)d 个月。") % {"n": MAX_TIMELINE_MONTHS}}
            )
        return {**attrs, "start": start, "end": end}


class CoverageApiBase(ScopedAPIView):
    capability = staticmethod(permissions.can_see_network)

    def scope_division(self, code: str | None) -> Division:
        """The division asked for, in scope (404 otherwise), at a level coverage applies to."""
        division = (
            division_get(self.scope, code, counting=False)
            if code
            else self.membership.scope_division
        )
        if division.level not in COVERAGE_LEVELS:
            raise serializers.ValidationError(
                {"division": [_("覆盖率按市、县（区）或乡镇（街道）计算。")]}
            )
        return division


def rate_or_zero(value: float | None) -> float:
    return value if value is not None else 0.0


class CoverageApi(CoverageApiBase):
    """Coverage of a division in scope on a date (default: the caller's scope, today).

    ``rate`` is covered ÷ total as a fraction; ``children`` breaks it down by
    county (or township), ``uncovered`` lists counted townships without an
    operating station that day.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("division", str, description="区划代码（可用短码，如 4502）"),
            OpenApiParameter("as_of", datetime.date, description="日期 YYYY-MM-DD，默认今天"),
        ],
        responses={
            200: inline_serializer(
                "Coverage",
                {
                    "division": serializers.CharField(),
                    "name": serializers.CharField(),
                    "as_of": serializers.DateField(),
                    "covered": serializers.IntegerField(),
                    "total": serializers.IntegerField(),
                    "rate": serializers.FloatField(),
                    "facilities": serializers.DictField(child=serializers.IntegerField()),
                    "children": serializers.ListField(child=serializers.DictField()),
                    "uncovered": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = self.scope_division(query.validated_data.get("division"))
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        figures = coverage_at(self.scope, division, as_of)
        return Response(
            {
                "division": division.short_code,
                "name": division.name,
                "as_of": as_of.isoformat(),
                "covered": figures.covered,
                "total": figures.total,
                "rate": rate_or_zero(figures.rate),
                "facilities": figures.facilities,
                "children": [
                    {
                        "division": child.division.short_code,
                        "name": child.division.name,
                        "covered": child.covered,
                        "total": child.total,
                        "rate": rate_or_zero(child.rate),
                    }
                    for child in figures.children
                ],
                "uncovered": [
                    {
                        "division": row["code"][:9],
                        "name": row["name"],
                        "county": row["parent__name"],
                    }
                    for row in figures.uncovered
                ],
            }
        )


class CoverageTimelineApi(CoverageApiBase):
    """Coverage at the end of every month between ``start`` and ``end`` (default: two years)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("division", str),
            OpenApiParameter("start", datetime.date),
            OpenApiParameter("end", datetime.date),
        ],
        responses={
            200: inline_serializer(
                "CoverageTimeline",
                {
                    "division": serializers.CharField(),
                    "name": serializers.CharField(),
                    "points": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = self.scope_division(query.validated_data.get("division"))
        points = coverage_timeline(
            self.scope, division, query.validated_data["start"], query.validated_data["end"]
        )
        return Response(
            {
                "division": division.short_code,
                "name": division.name,
                "points": [
                    {
                        "date": point.date.isoformat(),
                        "covered": point.covered,
                        "total": point.total,
                        "rate": rate_or_zero(point.rate),
                    }
                    for point in points
                ],
            }
        )


class CoverageOverrideOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    division = serializers.CharField(source="division.short_code", help_text="乡级区划短码（9 位）")
    division_name = serializers.CharField(source="division.name")
    counted = serializers.BooleanField(help_text="true：计入覆盖率；false：不计入")
    reason = serializers.CharField()
    effective_from = serializers.DateField(help_text="起始日期（含）")
    effective_to = serializers.DateField(allow_null=True, help_text="截止日期（含）；null 为长期")
    updated_by = serializers.CharField(source="updated_by.username")
    updated_at = serializers.DateTimeField()


class CoverageOverrideInputSerializer(serializers.Serializer):
    division = serializers.CharField(help_text="乡级区划代码（可用 9 位短码）")
    counted = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)
    effective_from = serializers.DateField(
        required=False, allow_null=True, help_text="默认今天；更早的日期会改变此后各日的覆盖率"
    )
    effective_to = serializers.DateField(required=False, allow_null=True)


class CoverageOverrideQuerySerializer(serializers.Serializer):
    division = serializers.CharField(required=False)
    as_of = serializers.DateField(required=False, help_text="只列出该日有效的调整")


class CoverageOverrideListApi(ScopedAPIView):
    """Coverage overrides of the scope, every period (GET); a city admin adds one (POST → 201).

    A new override starts today unless ``effective_from`` says otherwise; an open
    override of the same unit that started earlier ends the day before.
    """

    selector = staticmethod(coverage_overrides_visible)
    model = CoverageOverride
    capability = staticmethod(permissions.can_see_network)

    @extend_schema(
        parameters=[
            OpenApiParameter("division", str, description="乡级区划代码"),
            OpenApiParameter("as_of", datetime.date, description="只列出该日有效的调整"),
        ],
        responses={200: CoverageOverrideOutputSerializer(many=True)},
    )
    def get(self, request):
        query = CoverageOverrideQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        if query.validated_data.get("division"):
            try:
                code = normalize_code(query.validated_data["division"])
            except InvalidDivisionCode as error:
                raise serializers.ValidationError({"division": [str(error)]}) from error
            queryset = queryset.filter(division_id=code)
        if query.validated_data.get("as_of"):
            queryset = queryset.filter(in_force_on(query.validated_data["as_of"]))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CoverageOverrideOutputSerializer(page, many=True).data)

    @extend_schema(
        request=CoverageOverrideInputSerializer,
        responses={201: CoverageOverrideOutputSerializer},
    )
    def post(self, request):
        data = CoverageOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        override = coverage_override_set(
            actor=self.membership,
            division_code=values["division"],
            counted=values["counted"],
            reason=values["reason"],
            effective_from=values.get("effective_from"),
            effective_to=values.get("effective_to"),
        )
        return Response(
            CoverageOverrideOutputSerializer(override).data, status=status.HTTP_201_CREATED
        )


class CoverageOverrideEndApi(ScopedAPIView):
    """End an override: from ``on`` (default today) the default rule applies again.

    200 with the ended override, or 204 when it had not yet applied a day and was removed.
    """

    selector = staticmethod(coverage_overrides_visible)
    model = CoverageOverride
    capability = staticmethod(permissions.can_see_network)

    class EndSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, allow_null=True, help_text="默认今天")

    @extend_schema(request=EndSerializer, responses={200: CoverageOverrideOutputSerializer})
    def post(self, request, pk: int):
        override = self.get_object()
        data = self.EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = coverage_override_end(
            actor=self.membership, override=override, on=data.validated_data.get("on")
        )
        if ended is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CoverageOverrideOutputSerializer(ended).data)
