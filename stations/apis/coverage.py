"""Coverage API: figures for a date and the monthly timeline."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from stations import permissions
from stations.coverage import MAX_TIMELINE_MONTHS, coverage_at, coverage_timeline
from stations.divisions import Level
from stations.models import Division
from stations.scoping import ScopedAPIView
from stations.selectors import division_get

COVERAGE_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


class CoverageQuerySerializer(serializers.Serializer):
    division = serializers.CharField(required=False)
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("日期不能晚于今天。"))
        return value


class TimelineQuerySerializer(serializers.Serializer):
    division = serializers.CharField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

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
        division = division_get(self.scope, code) if code else self.membership.scope_division
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
