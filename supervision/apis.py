"""Supervision API: monthly submissions and their review, and completeness.

Contractors' own systems use tokens. ``month`` is ``YYYY-MM``. A transition the month's
state does not allow (a second submission, any write to an accepted month, a review of a
month that is not submitted) answers 409 ``conflict`` and changes nothing.
"""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from procurement.models import ContractKind
from procurement.selectors import contracts_visible
from stations import permissions as station_permissions
from stations.divisions import Level
from stations.models import Facility
from stations.scoping import ScopedAPIView
from stations.selectors import division_get
from stations.validation import api_names, api_validated
from supervision import permissions, services
from supervision.flags import month_flags
from supervision.models import (
    MonthlySubmission,
    SessionForm,
    SubmissionState,
    SupervisionSession,
    SupervisorAssignment,
)
from supervision.selectors import (
    completeness,
    months_between,
    sessions_visible,
    submissions_visible,
    supervisor_assignments_visible,
)
from workforce.models import SocialWorker

MONTHS_AT_MOST = 120


def parse_month(value: object) -> datetime.date | None:
    """``YYYY-MM`` as the month's first day; None when it is not one."""
    text = str(value or "").strip()
    try:
        day = datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    return day if len(text) == 7 and day.year >= 2000 else None


class MonthField(serializers.Field):
    """A month written ``YYYY-MM``."""

    default_error_messages = {"invalid": _("月份应写作 YYYY-MM，如 2024-03。")}

    def to_internal_value(self, data):
        month = parse_month(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.IntegerField(source="contract_id", help_text="contract id")
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    month = MonthField(help_text="YYYY-MM")
    state = serializers.ChoiceField(choices=SubmissionState.choices, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    first_submitted_at = serializers.DateTimeField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    reviewed_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="of the last return or unlock")


class SubmissionFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="contract_id", min_value=1)
    month = django_filters.CharFilter(method="filter_month", help_text="YYYY-MM")
    state = django_filters.ChoiceFilter(choices=SubmissionState.choices)

    class Meta:
        model = MonthlySubmission
        fields = ["contract", "month", "state"]

    def filter_month(self, queryset, name, value):
        month = parse_month(value)
        if month is None:
            raise ValidationError({"month": [_("月份应写作 YYYY-MM，如 2024-03。")]})
        return queryset.filter(month=month)


class SubmissionListApi(ScopedAPIView):
    """Monthly submissions in scope (filters ``contract``, ``month``, ``state``); POST
    ``{"contract", "month"}`` opens the month as a draft (the contractor; the same one if
    it exists)."""

    selector = staticmethod(submissions_visible)
    model = MonthlySubmission
    capability = staticmethod(permissions.can_see_supervision)
    filterset_class = SubmissionFilter

    @extend_schema(responses={200: SubmissionSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("-month", "contract_id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SubmissionSerializer(page, many=True).data)

    @extend_schema(request=SubmissionSerializer, responses={201: SubmissionSerializer})
    def post(self, request):
        data = SubmissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = (
            contracts_visible(self.scope)
            .filter(pk=data.validated_data["contract_id"], kind=ContractKind.STATION_OPERATION)
            .first()
        )
        if contract is None:
            raise ValidationError({"contract": [_("合同不存在或不在您的范围内。")]})
        submission = services.submission_open(
            actor=self.membership, contract=contract, month=data.validated_data["month"]
        )
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(ScopedAPIView):
    """One month, with ``"flags": [{"session", "flags": [message, …]}]``: the anomalies the
    reviewer should look at before accepting (supervision.flags)."""

    selector = staticmethod(submissions_visible)
    model = MonthlySubmission
    capability = staticmethod(permissions.can_see_supervision)

    @extend_schema(responses={200: SubmissionSerializer})
    def get(self, request, pk: int):
        submission = self.get_object()
        flags = month_flags(self.membership, submission.contract, submission.month)
        return Response(
            {
                **SubmissionSerializer(submission).data,
                "flags": [
                    {"session": session, "flags": messages}
                    for session, messages in sorted(flags.items())
                ],
            }
        )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class _TransitionApi(ScopedAPIView):
    selector = staticmethod(submissions_visible)
    model = MonthlySubmission
    capability = staticmethod(permissions.can_see_supervision)
    needs_reason = False

    def act(self, submission: MonthlySubmission, reason: str) -> None:
        raise NotImplementedError

    @extend_schema(request=ReasonSerializer, responses={200: SubmissionSerializer})
    def post(self, request, pk: int):
        submission = self.get_object()
        reason = ""
        if self.needs_reason:
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            reason = data.validated_data["reason"]
        self.act(submission, reason)
        return Response(SubmissionSerializer(self.get_object()).data)


class SubmissionSubmitApi(_TransitionApi):
    """POST: the contractor submits the month (409 when submitted or accepted already)."""

    def act(self, submission, reason):
        services.submission_submit(
            actor=self.membership, contract=submission.contract, month=submission.month
        )


class SubmissionAcceptApi(_TransitionApi):
    """POST: the purchaser accepts a submitted month, locking it (409 otherwise)."""

    def act(self, submission, reason):
        services.submission_accept(actor=self.membership, submission=submission)


class SubmissionReturnApi(_TransitionApi):
    """POST {"reason"}: the purchaser returns a submitted month to the contractor."""

    needs_reason = True

    def act(self, submission, reason):
        services.submission_return(actor=self.membership, submission=submission, reason=reason)


class SubmissionUnlockApi(_TransitionApi):
    """POST {"reason"}: a city admin unlocks an accepted month; it goes back as returned."""

    needs_reason = True

    def act(self, submission, reason):
        services.submission_unlock(actor=self.membership, submission=submission, reason=reason)


class CompletenessApi(ScopedAPIView):
    """GET ?division=&start=YYYY-MM&end=YYYY-MM → ``{"division", "start", "end",
    "expected", "submitted", "accepted", "on_time", "rate", "on_time_rate"`` (fractions, None
    when nothing was expected), ``"station_months", "supervised", "supervised_rate",
    "missing": [{"contract", "number", "month"}], "months": [{"month": "YYYY-MM", ...the
    same figures but missing}], "children": [...]}`` (per county and 市本级 for a city).
    Defaults: own scope, the twelve months to last month (the latest that is due; a later
    ``end`` is refused). Network roles only; another city or county answers 404."""

    capability = staticmethod(station_permissions.can_see_network)

    def get(self, request):
        errors: dict[str, list] = {}
        division = self.membership.scope_division
        code = request.query_params.get("division", "").strip()
        if code:
            division = division_get(self.scope, code, counting=False)
            if division.level not in (Level.CITY, Level.COUNTY):
                errors["division"] = [_("请选择市或县（市、区）。")]
        this_month = services.month_start(timezone.localdate())
        last_month = services.month_start(this_month - datetime.timedelta(days=1))
        given = request.query_params
        end = parse_month(given["end"]) if "end" in given else last_month
        start = parse_month(given["start"]) if "start" in given else None
        for name, value in (("start", start), ("end", end)):
            if name in given and value is None:
                errors[name] = [_("月份应写作 YYYY-MM，如 2024-03。")]
        if end is not None and "start" not in given:
            start = (end - datetime.timedelta(days=330)).replace(day=1)  # the last 12 months
        if start and end and not errors:
            if start > end:
                errors["end"] = [_("结束月份不能早于开始月份。")]
            elif end > last_month:  # this month is not due yet
                errors["end"] = [_("结束月份不能晚于上个月（本月尚未到提交期）。")]
            elif len(months_between(start, end)) > MONTHS_AT_MOST:
                errors["start"] = [_("一次最多统计 %(n)d 个月。") % {"n": MONTHS_AT_MOST}]
        if errors:
            raise ValidationError(errors)
        assert start is not None and end is not None
        result = completeness(self.scope, division, start, end)

        def shaped(figures):
            return {
                "expected": figures.expected,
                "submitted": figures.submitted,
                "accepted": figures.accepted,
                "on_time": figures.on_time,
                "rate": figures.rate,
                "on_time_rate": figures.on_time_rate,
                "station_months": figures.station_months,
                "supervised": figures.supervised,
                "supervised_rate": figures.supervised_rate,
                "missing": figures.missing,
            }

        return Response(
            {
                "division": division.short_code,
                "start": f"{start:%Y-%m}",
                "end": f"{end:%Y-%m}",
                **shaped(result),
                "months": [  # the missing months are listed once, above
                    {"month": key, **{k: v for k, v in shaped(figures).items() if k != "missing"}}
                    for key, figures in sorted(result.months.items())
                ],
                "children": [
                    {"county": child.code, "name": child.name, **shaped(child)}
                    for child in result.children
                ],
            }
        )


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.IntegerField(source="contract_id", help_text="contract id")
    station = serializers.IntegerField(source="facility_id", help_text="facility id")
    supervisor = serializers.IntegerField(source="supervisor_id", help_text="social worker id")
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    month = MonthField(read_only=True)
    started_at = serializers.DateTimeField(help_text="ISO 8601, Asia/Shanghai by default")
    ended_at = serializers.DateTimeField()
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="hours claimed; default the duration, only lower (with hours_note)",
    )
    hours_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    form = serializers.ChoiceField(choices=SessionForm.choices)
    topics = serializers.CharField(max_length=2000)
    participants = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        write_only=True,  # answered as a list of ids by to_representation
        help_text="ids of the stationed social workers who took part",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    attachment = serializers.FileField(
        required=False, write_only=True, help_text="sign-in sheet: PDF, JPG or PNG"
    )
    attachment_sha256 = serializers.CharField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["participants"] = [worker.pk for worker in instance.participants.all()]
        return data


class SessionFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="contract_id", min_value=1)
    station = django_filters.NumberFilter(field_name="facility_id", min_value=1)
    supervisor = django_filters.NumberFilter(field_name="supervisor_id", min_value=1)
    month = django_filters.CharFilter(method="filter_month", help_text="YYYY-MM")

    class Meta:
        model = SupervisionSession
        fields = ["contract", "station", "supervisor", "month"]

    def filter_month(self, queryset, name, value):
        month = parse_month(value)
        if month is None:
            raise ValidationError({"month": [_("月份应写作 YYYY-MM，如 2024-03。")]})
        return queryset.filter(month=month)


class SessionListApi(ScopedAPIView):
    """Supervision sessions in scope (filters ``contract``, ``station``, ``supervisor``,
    ``month``); POST (JSON, or multipart with ``attachment``) records one: the contract's
    contractor, in a month still a draft or returned (409 otherwise), every problem at once
    (400)."""

    selector = staticmethod(sessions_visible)
    model = SupervisionSession
    capability = staticmethod(permissions.can_see_supervision)
    filterset_class = SessionFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses={200: SessionSerializer(many=True)})
    def get(self, request):
        queryset = (
            self.filter_queryset(self.get_queryset())
            .prefetch_related("participants")
            .order_by("-started_at", "pk")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(request=SessionSerializer, responses={201: SessionSerializer})
    def post(self, request):
        def values_of(parsed):
            def pick(source, name):
                return parsed.get(source, parsed.get(name))

            contract = (
                contracts_visible(self.scope)
                .filter(pk=pick("contract_id", "contract") or 0)
                .first()
            )
            if contract is None:
                raise ValidationError({"contract": [_("合同不存在或不在您的范围内。")]})
            facility = Facility.objects.filter(
                tenant_id=self.membership.tenant_id, pk=pick("facility_id", "station") or 0
            ).first()
            workers = SocialWorker.objects.filter(tenant_id=self.membership.tenant_id)
            return {
                "contract": contract,
                "facility": facility,
                "supervisor": workers.filter(pk=pick("supervisor_id", "supervisor") or 0).first(),
                "started_at": parsed.get("started_at"),
                "ended_at": parsed.get("ended_at"),
                "hours": parsed.get("hours"),
                "hours_note": parsed.get("hours_note", ""),
                "form": parsed.get("form", ""),
                "topics": parsed.get("topics", ""),
                "participants": list(workers.filter(pk__in=parsed.get("participants") or [])),
                "notes": parsed.get("notes", ""),
                "attachment": parsed.get("attachment"),
            }

        def check(values):
            with api_names({"facility": "station"}):  # the service's name, the API's name
                services.session_check(actor=self.membership, **values_of(values))

        parsed = api_validated(SessionSerializer(data=request.data), check)
        with api_names({"facility": "station"}):
            session = services.session_create(actor=self.membership, **values_of(parsed))
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailApi(ScopedAPIView):
    """One session in scope; DELETE removes it: the contract's contractor, while its month
    is a draft or returned (409 when submitted or accepted, 403 for anyone else)."""

    selector = staticmethod(sessions_visible)
    model = SupervisionSession
    capability = staticmethod(permissions.can_see_supervision)

    @extend_schema(responses={200: SessionSerializer})
    def get(self, request, pk: int):
        return Response(SessionSerializer(self.get_object()).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.session_delete(actor=self.membership, session=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupervisorAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    supervisor = serializers.IntegerField(source="supervisor_id", help_text="social worker id")
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    contract = serializers.IntegerField(source="contract_id", help_text="contract id")
    station = serializers.IntegerField(source="facility_id", help_text="facility id")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(
        required=False, allow_null=True, help_text="last day; default the contract's"
    )


class SupervisorAssignmentListApi(ScopedAPIView):
    """Supervisor assignments (督导安排) under the contracts in scope (filters ``contract``,
    ``station``, ``supervisor``); POST assigns one (the contractor or the purchaser), every
    problem at once."""

    selector = staticmethod(supervisor_assignments_visible)
    model = SupervisorAssignment
    capability = staticmethod(permissions.can_see_supervision)

    @extend_schema(responses={200: SupervisorAssignmentSerializer(many=True)})
    def get(self, request):
        queryset = self.get_queryset().order_by("contract_id", "facility_id", "started_on")
        for name, field in (
            ("contract", "contract_id"),
            ("station", "facility_id"),
            ("supervisor", "supervisor_id"),
        ):
            value = request.query_params.get(name, "")
            if value:
                if not (value.isascii() and value.isdigit() and len(value) < 19):
                    raise ValidationError({name: [_("请填写编号（正整数）。")]})
                queryset = queryset.filter(**{field: int(value)})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SupervisorAssignmentSerializer(page, many=True).data)

    @extend_schema(
        request=SupervisorAssignmentSerializer, responses={201: SupervisorAssignmentSerializer}
    )
    def post(self, request):
        data = SupervisorAssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tenant = self.membership.tenant_id
        contract = contracts_visible(self.scope).filter(pk=values["contract_id"]).first()
        supervisor = SocialWorker.objects.filter(
            tenant_id=tenant, pk=values["supervisor_id"]
        ).first()
        facility = Facility.objects.filter(tenant_id=tenant, pk=values["facility_id"]).first()
        missing = {
            name: [_("不存在或不在您的范围内。")]
            for name, found in (("contract", contract), ("supervisor", supervisor),
                                ("station", facility))
            if found is None
        }  # fmt: skip
        if missing:
            raise ValidationError(missing)
        with api_names({"facility": "station"}):
            assignment = services.supervisor_assign(
                actor=self.membership,
                supervisor=supervisor,
                contract=contract,
                facility=facility,
                started_on=values["started_on"],
                ended_on=values.get("ended_on"),
            )
        return Response(
            SupervisorAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED
        )
