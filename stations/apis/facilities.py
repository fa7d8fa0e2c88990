"""Facilities API: list, create, retrieve, update, open, close, rate."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from stations import permissions
from stations.facility_import import EXPORT_ORDER, facilities_export, facilities_export_filename
from stations.filters import FacilityFilter
from stations.models import (
    Facility,
    FacilityLevel,
    FacilityStatus,
)
from stations.scoping import ScopedAPIView
from stations.selectors import facilities_visible, facility_history
from stations.services import facilities as facility_services
from stations.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from stations.validation import api_validated


class FacilityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField()
    level_display = serializers.CharField(source="get_level_display")
    division = serializers.CharField(source="division.short_code")
    division_name = serializers.CharField(source="division.name")
    county = serializers.CharField(source="county_code")
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    established_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    closure_reason = serializers.CharField()
    office_area_m2 = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    six_haves = serializers.SerializerMethodField()
    six_haves_complete = serializers.BooleanField()
    co_located_venues = serializers.CharField()
    is_demonstration = serializers.BooleanField()
    demonstration_year = serializers.IntegerField(allow_null=True)
    current_stars = serializers.IntegerField(allow_null=True)
    remarks = serializers.CharField()
    updated_at = serializers.DateTimeField()

    def get_six_haves(self, facility: Facility) -> list[dict]:
        return [
            {
                "item": row["stem"],
                "label": str(row["label"]),
                "met": row["met"],
                "note": row["note"],
            }
            for row in facility.six_haves()
        ]


class FacilityDetailsSerializer(serializers.Serializer):
    """The descriptive fields; every one optional (PATCH semantics on update)."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    office_area_m2 = serializers.DecimalField(
        required=False, allow_null=True, max_digits=8, decimal_places=1
    )
    has_site = serializers.BooleanField(required=False)
    has_site_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_equipment = serializers.BooleanField(required=False)
    has_equipment_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_staff = serializers.BooleanField(required=False)
    has_staff_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_services = serializers.BooleanField(required=False)
    has_services_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_workflow = serializers.BooleanField(required=False)
    has_workflow_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_rules = serializers.BooleanField(required=False)
    has_rules_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    co_located_venues = serializers.CharField(required=False, allow_blank=True, max_length=300)
    is_demonstration = serializers.BooleanField(required=False)
    demonstration_year = serializers.IntegerField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True)


class FacilityCreateSerializer(FacilityDetailsSerializer):
    level = serializers.ChoiceField(choices=FacilityLevel.choices)
    division = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[FacilityStatus.PLANNED, FacilityStatus.OPERATING],
        default=FacilityStatus.PLANNED,
    )
    established_on = serializers.DateField(required=False, allow_null=True)


class FacilityApiBase(ScopedAPIView):
    selector = staticmethod(facilities_visible)
    model = Facility
    capability = staticmethod(permissions.can_see_facilities)

    def respond(self, facility: Facility, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=facility.pk)
        return Response(FacilityOutputSerializer(fresh).data, status=status_code)


class FacilityListApi(FacilityApiBase):
    """Facilities in scope (filters: county, level, status, stars, demonstration,
    six_haves_complete, q); POST creates one. Without a name the official
    signboard name is proposed."""

    filterset_class = FacilityFilter

    @extend_schema(responses={200: FacilityOutputSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("division_id", "level", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(FacilityOutputSerializer(page, many=True).data)

    @extend_schema(request=FacilityCreateSerializer, responses={201: FacilityOutputSerializer})
    def post(self, request):
        values = dict(api_validated(FacilityCreateSerializer(data=request.data), self.create_check))
        facility = facility_services.facility_create(
            actor=self.membership,
            level=values.pop("level"),
            division_code=values.pop("division"),
            status=values.pop("status"),
            established_on=values.pop("established_on", None),
            **values,
        )
        return self.respond(facility, status.HTTP_201_CREATED)

    def create_check(self, values: dict) -> None:
        values = dict(values)
        facility_services.facility_create_check(
            actor=self.membership,
            level=values.pop("level", ""),
            division_code=values.pop("division", ""),
            **values,
        )


class FacilityExportApi(FacilityApiBase):
    """The facilities in scope as the XLSX the list page exports (same filters, same file).
    Network roles only: a contractor or evaluator reads its facilities, it exports none."""

    capability = staticmethod(permissions.can_see_network)
    filterset_class = FacilityFilter

    @extend_schema(
        responses={(200, XLSX_CONTENT_TYPE): bytes},
        description="过滤参数与 /api/v1/facilities/ 相同；文件与站点列表页的“导出”相同。",
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by(*EXPORT_ORDER)
        return xlsx_response(
            facilities_export(queryset), facilities_export_filename(self.membership)
        )


class FacilityDetailApi(FacilityApiBase):
    """One facility in scope; PATCH (or PUT with the same fields) changes its details."""

    @extend_schema(responses={200: FacilityOutputSerializer})
    def get(self, request, pk: int):
        return Response(FacilityOutputSerializer(self.get_object()).data)

    @extend_schema(request=FacilityDetailsSerializer, responses={200: FacilityOutputSerializer})
    def patch(self, request, pk: int):
        facility = self.get_object()
        values = api_validated(
            FacilityDetailsSerializer(data=request.data, partial=True),
            lambda parsed: facility_services.facility_update_check(
                actor=self.membership, facility=self.get_object(), **parsed
            ),
        )
        facility_services.facility_update(actor=self.membership, facility=facility, **values)
        return self.respond(facility)

    put = patch


class FacilityCloseApi(FacilityApiBase):
    """Stop an operating facility from a date (closed or suspended), with a reason."""

    class CloseSerializer(serializers.Serializer):
        on = serializers.DateField()
        reason = serializers.CharField(max_length=300)
        status = serializers.ChoiceField(
            choices=[FacilityStatus.CLOSED, FacilityStatus.SUSPENDED],
            default=FacilityStatus.CLOSED,
        )

    @extend_schema(request=CloseSerializer, responses={200: FacilityOutputSerializer})
    def post(self, request, pk: int):
        facility = self.get_object()
        values = api_validated(
            self.CloseSerializer(data=request.data),
            lambda parsed: facility_services.facility_close_check(
                actor=self.membership, facility=facility, **parsed
            ),
        )
        facility_services.facility_close(actor=self.membership, facility=facility, **values)
        return self.respond(facility)


class FacilityOpenApi(FacilityApiBase):
    """Start operating a planned facility, or reopen a closed or suspended one."""

    class OpenSerializer(serializers.Serializer):
        on = serializers.DateField()
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True)

    @extend_schema(request=OpenSerializer, responses={200: FacilityOutputSerializer})
    def post(self, request, pk: int):
        facility = self.get_object()
        values = api_validated(
            self.OpenSerializer(data=request.data),
            lambda parsed: facility_services.facility_open_check(
                actor=self.membership, facility=facility, **parsed
            ),
        )
        facility_services.facility_open(actor=self.membership, facility=facility, **values)
        return self.respond(facility)


class FacilityRatingApi(FacilityApiBase):
    """Award a star rating (1–5) on a date."""

    class RatingSerializer(serializers.Serializer):
        stars = serializers.IntegerField(min_value=1, max_value=5)
        rated_on = serializers.DateField()
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    @extend_schema(request=RatingSerializer, responses={201: FacilityOutputSerializer})
    def post(self, request, pk: int):
        facility = self.get_object()
        values = api_validated(
            self.RatingSerializer(data=request.data),
            lambda parsed: facility_services.facility_rate_check(
                actor=self.membership, facility=facility, **parsed
            ),
        )
        facility_services.facility_rate(actor=self.membership, facility=facility, **values)
        return self.respond(facility, status.HTTP_201_CREATED)


class FacilityCorrectApi(FacilityApiBase):
    """Correct an opening date, level or division entered wrongly, with a required reason.

    The operating periods follow and coverage of the affected dates changes;
    the history shows a correction (action ``facility_correct``) with the
    reason. Every problem is answered at once (400); another county's or
    tenant's facility is 404; a role that may not keep it, 403.
    """

    class CorrectSerializer(serializers.Serializer):
        established_on = serializers.DateField(
            required=False, help_text="the corrected opening date (YYYY-MM-DD)"
        )
        level = serializers.ChoiceField(choices=FacilityLevel.choices, required=False)
        division = serializers.CharField(
            required=False, help_text="full or short code of the corrected division"
        )
        reason = serializers.CharField(max_length=300, help_text="why it was wrong (required)")

    @extend_schema(request=CorrectSerializer, responses={200: FacilityOutputSerializer})
    def post(self, request, pk: int):
        facility = self.get_object()
        values = dict(
            api_validated(
                self.CorrectSerializer(data=request.data),
                lambda parsed: self.correct(facility, parsed),
            )
        )
        return self.respond(self.correct(facility, values))

    def correct(self, facility: Facility, values: dict) -> Facility:
        values = dict(values)
        values["division_code"] = values.pop("division", None)
        values.setdefault("reason", "")
        return facility_services.facility_correct(
            actor=self.membership, facility=facility, **values
        )


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="the field's name in code")  # type: ignore[assignment]
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="its label in the request's language"
    )
    old = serializers.CharField(allow_null=True, help_text="display value; null for a new record")
    new = serializers.CharField(allow_null=True, help_text="display value")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="when (Asia/Shanghai)")
    actor = serializers.CharField(help_text="username, or the command that acted")
    action = serializers.CharField(help_text="recorded action, e.g. facility_close")
    action_label = serializers.CharField()
    reason = serializers.CharField(help_text="the reason given (corrections, closures)")
    summary = serializers.CharField(help_text="one sentence in the request's language")
    changes = HistoryChangeSerializer(many=True)


class FacilityHistoryApi(FacilityApiBase):
    """What happened to a facility, newest first: one entry per user action (a request or
    an import job), with a sentence and its changed fields as display values."""

    pagination_class = None
    # The history names every contract that covered the facility: network roles only.
    capability = staticmethod(permissions.can_see_network)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    def get(self, request, pk: int):
        entries = facility_history(self.get_object())
        return Response(HistoryEntrySerializer(entries, many=True).data)
