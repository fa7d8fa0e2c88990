"""REST API of the workforce app: social workers, and the logged reveal of an ID number.

``id_number`` is write-only: every response carries ``id_number_masked``
(``450202********002X``) instead; the full number comes only from
``POST /api/v1/social-workers/ID/reveal-id/``, which is logged. Phones are masked in
lists and shown in full on one worker.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from stations import permissions as station_permissions
from stations.divisions import Level
from stations.scoping import ScopedAPIView
from stations.selectors import division_get
from stations.validation import api_validated, date_problem, phone_mask, record_id
from workforce import permissions, services
from workforce.assignments import assignment_check, assignment_create, assignment_end
from workforce.credentials import (
    credential_check,
    credential_create,
    registration_check,
    registration_create,
    status_on,
)
from workforce.models import (
    Assignment,
    AssignmentRole,
    Credential,
    CredentialLevel,
    CredentialStatus,
    Education,
    Gender,
    Population,
    SocialWorker,
    Specialty,
    Training,
    TrainingForm,
    WorkerStatus,
)
from workforce.population import population_check, population_set
from workforce.selectors import (
    assignments_visible,
    credentials_visible,
    population_visible,
    social_workers_visible,
    trainings_visible,
    with_credential_state,
)
from workforce.summary import STATION_ROLES, on_post, workforce_summary
from workforce.trainings import training_check, training_create


class SocialWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(
        max_length=30, write_only=True, help_text="resident ID number, 18 characters (GB 11643)"
    )
    id_number_masked = serializers.CharField(read_only=True, help_text="450202********002X")
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, help_text="male/female; must agree with the number"
    )
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    birth_date = serializers.DateField(
        required=False,
        write_only=True,
        help_text="defaults to the number's; never returned (with the mask it would spell "
        "the whole number)",
    )
    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    social_work_major = serializers.BooleanField(required=False)
    employer = serializers.IntegerField(
        source="employer_id", required=False, allow_null=True, help_text="organisation id"
    )
    employer_name = serializers.CharField(source="employer.name", read_only=True, default=None)
    party_member = serializers.BooleanField(required=False)
    specialties = serializers.ListField(
        child=serializers.ChoiceField(choices=Specialty.choices),
        required=False,
        help_text="codes: " + ", ".join(Specialty.values),
    )
    status = serializers.ChoiceField(choices=WorkerStatus.choices, required=False)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    remarks = serializers.CharField(required=False, allow_blank=True)

    def to_representation(self, worker: SocialWorker) -> dict:
        data = super().to_representation(worker)
        if self.context.get("list"):
            data["phone"] = phone_mask(worker.phone)
        return data


def service_values(parsed: dict) -> dict:
    """Validated data (keyed by source) or fields parsed one by one (by name) as the
    service's values."""
    values = dict(parsed)
    if "employer_id" in values:
        values["employer"] = values.pop("employer_id")
    return values


class SocialWorkerFilter(django_filters.FilterSet):
    """Filters of the worker list, its export and the API; a county or station means
    registered there or stationed there today (through the posts the user may see), a
    level or credential status that of the worker's highest certificate today
    (Asia/Shanghai). Built with the request."""

    employer = django_filters.NumberFilter(
        field_name="employer_id", label=_("所在机构"), min_value=1, max_value=2**63 - 1
    )
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices, label=_("状态"))
    q = django_filters.CharFilter(method="filter_search", label=_("姓名"))
    county = django_filters.CharFilter(
        method="filter_county", label=_("县（市、区）"), help_text="6-digit county code"
    )
    station = django_filters.NumberFilter(
        method="filter_station", label=_("站点"), min_value=1, max_value=2**63 - 1
    )
    specialty = django_filters.ChoiceFilter(
        choices=Specialty.choices, method="filter_specialty", label=_("专业领域")
    )
    level = django_filters.ChoiceFilter(
        choices=CredentialLevel.choices, method="filter_level", label=_("证书级别")
    )
    credential_status = django_filters.ChoiceFilter(
        choices=CredentialStatus.choices, method="filter_credential_status", label=_("证书状态")
    )

    class Meta:
        model = SocialWorker
        fields = ["employer", "status", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def _posts_today(self):
        """Posts held today as 驻站社工 or 站长 (a visiting 督导 is not stationed)."""
        today = timezone.localdate()
        posts = Assignment.objects.filter(
            on_post(today), worker=OuterRef("pk"), role__in=STATION_ROLES
        )
        # Only the posts the user may see: a county officer's county, a contractor's own.
        view = (getattr(self.request, "parser_context", None) or {}).get("view")
        membership = getattr(view, "membership", None) or getattr(self.request, "membership", None)
        if membership is None:
            return posts.none()
        return posts.filter(pk__in=assignments_visible(membership).values("pk"))

    def filter_county(self, queryset, name, value):
        code = value.strip()[:6]
        if not (len(code) == 6 and code.isdigit()):
            return queryset.none()
        stationed = self._posts_today().filter(county_code=code)
        return queryset.filter(Q(registered_county=code) | Exists(stationed))

    def filter_station(self, queryset, name, value):
        return queryset.filter(Exists(self._posts_today().filter(facility_id=value)))

    def filter_specialty(self, queryset, name, value):
        return queryset.filter(specialties__contains=[value])

    def filter_level(self, queryset, name, value):
        return with_credential_state(queryset, timezone.localdate()).filter(top_level=value)

    def filter_credential_status(self, queryset, name, value):
        states = with_credential_state(queryset, timezone.localdate())
        return states.filter(credential_state=value)


def require_manager(membership) -> None:
    if not permissions.can_manage_social_workers(membership):
        raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))


class SocialWorkerListApi(ScopedAPIView):
    """Social workers in scope (filters ``employer``, ``status``, ``q``); POST registers one
    (city admins, county officers, contractors for their own organisation). Every problem
    is answered at once (400), nothing written."""

    selector = staticmethod(social_workers_visible)
    model = SocialWorker
    capability = staticmethod(permissions.can_see_social_workers)
    filterset_class = SocialWorkerFilter

    @extend_schema(responses={200: SocialWorkerSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("name", "pk")
        page = self.paginate_queryset(queryset)
        data = SocialWorkerSerializer(page, many=True, context={"list": True}).data
        return self.get_paginated_response(data)

    @extend_schema(request=SocialWorkerSerializer, responses={201: SocialWorkerSerializer})
    def post(self, request):
        require_manager(self.membership)
        parsed = api_validated(
            SocialWorkerSerializer(data=request.data),
            lambda values: services.social_worker_check(
                actor=self.membership, **service_values(values)
            ),
        )
        worker = services.social_worker_create(actor=self.membership, **service_values(parsed))
        return Response(SocialWorkerSerializer(worker).data, status=status.HTTP_201_CREATED)


class SocialWorkerDetailApi(ScopedAPIView):
    """One social worker; PATCH changes any of its fields."""

    selector = staticmethod(social_workers_visible)
    model = SocialWorker
    capability = staticmethod(permissions.can_see_social_workers)

    @extend_schema(responses={200: SocialWorkerSerializer})
    def get(self, request, pk: int):
        return Response(SocialWorkerSerializer(self.get_object()).data)

    @extend_schema(request=SocialWorkerSerializer, responses={200: SocialWorkerSerializer})
    def patch(self, request, pk: int):
        worker = self.get_object()
        require_manager(self.membership)
        parsed = api_validated(
            SocialWorkerSerializer(data=request.data, partial=True),
            lambda values: services.social_worker_check(
                actor=self.membership,
                worker=SocialWorker.objects.get(pk=worker.pk),
                **service_values(values),
            ),
        )
        changed = services.social_worker_update(
            actor=self.membership, worker=worker, **service_values(parsed)
        )
        return Response(SocialWorkerSerializer(changed).data)


class RevealIdApi(ScopedAPIView):
    """POST: the worker's full ID number ``{"id_number"}``, logged (who, when, whose).
    A city admin, or a county officer for a worker of its county; others 403 (404 when the
    worker is not theirs to see)."""

    selector = staticmethod(social_workers_visible)
    model = SocialWorker
    capability = staticmethod(permissions.can_see_social_workers)

    class RevealSerializer(serializers.Serializer):
        id_number = serializers.CharField()

    @extend_schema(request=None, responses={200: RevealSerializer})
    def post(self, request, pk: int):
        number = services.id_number_reveal(
            actor=self.membership, worker=self.get_object(), channel="api"
        )
        return Response({"id_number": number}, headers={"Cache-Control": "no-store"})


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    registered_on = serializers.DateField()
    valid_until = serializers.DateField(read_only=True)
    continuing_education_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, help_text="hours in the period"
    )


class CredentialSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    worker = serializers.IntegerField(source="worker_id", help_text="social worker id")
    level = serializers.ChoiceField(choices=CredentialLevel.choices)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    certificate_number = serializers.CharField(max_length=40)
    exam_year = serializers.IntegerField(min_value=2008, max_value=2100)
    passed_on = serializers.DateField()
    status = serializers.SerializerMethodField(help_text="CredentialStatus code today")
    registrations = RegistrationSerializer(many=True, read_only=True)

    def get_status(self, credential) -> str:
        return status_on(credential.registrations.all(), timezone.localdate())


class CredentialListApi(ScopedAPIView):
    """Credentials of the workers in scope (filters ``worker``, ``level``); POST records one
    for a worker in scope."""

    selector = staticmethod(credentials_visible)
    model = Credential
    capability = staticmethod(permissions.can_see_social_workers)

    @extend_schema(responses={200: CredentialSerializer(many=True)})
    def get(self, request):
        queryset = self.get_queryset().order_by("worker_id", "passed_on", "pk")
        worker = record_id(request.query_params.get("worker"))
        if worker is not None:
            queryset = queryset.filter(worker_id=worker)
        if request.query_params.get("level") in CredentialLevel.values:
            queryset = queryset.filter(level=request.query_params["level"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CredentialSerializer(page, many=True).data)

    @extend_schema(request=CredentialSerializer, responses={201: CredentialSerializer})
    def post(self, request):
        require_manager(self.membership)

        def worker_of(values):
            return (
                social_workers_visible(self.scope)
                .filter(pk=values.get("worker_id", values.get("worker")) or 0)
                .first()
            )

        def check(values):
            worker = worker_of(values)
            if worker is None:
                raise ValidationError({"worker": [_("该社工不存在或不在您的管辖范围内。")]})
            fields = {k: v for k, v in values.items() if k not in ("worker", "worker_id")}
            credential_check(actor=self.membership, worker=worker, **fields)

        parsed = api_validated(CredentialSerializer(data=request.data), check)
        check(parsed)
        fields = {k: v for k, v in parsed.items() if k != "worker_id"}
        credential = credential_create(actor=self.membership, worker=worker_of(parsed), **fields)
        fresh = self.get_queryset().get(pk=credential.pk)
        return Response(CredentialSerializer(fresh).data, status=status.HTTP_201_CREATED)


class CredentialRegistrationApi(ScopedAPIView):
    """POST {"registered_on", "continuing_education_hours"}: a registration or
    re-registration of the credential (validity computed by the national rules)."""

    selector = staticmethod(credentials_visible)
    model = Credential
    capability = staticmethod(permissions.can_see_social_workers)

    @extend_schema(request=RegistrationSerializer, responses={201: CredentialSerializer})
    def post(self, request, pk: int):
        credential = self.get_object()
        require_manager(self.membership)
        parsed = api_validated(
            RegistrationSerializer(data=request.data),
            lambda values: registration_check(
                actor=self.membership,
                credential=credential,
                registered_on=values.get("registered_on"),
                continuing_education_hours=values.get("continuing_education_hours", 0),
            ),
        )
        registration_create(
            actor=self.membership,
            credential=credential,
            registered_on=parsed["registered_on"],
            continuing_education_hours=parsed.get("continuing_education_hours", 0),
        )
        fresh = self.get_queryset().get(pk=credential.pk)
        return Response(CredentialSerializer(fresh).data, status=status.HTTP_201_CREATED)


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    worker = serializers.IntegerField(source="worker_id", help_text="social worker id")
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    facility = serializers.IntegerField(source="facility_id", help_text="facility id")
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    contract = serializers.IntegerField(
        source="contract_id", required=False, allow_null=True, help_text="contract id"
    )
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True, help_text="last day")
    full_time = serializers.BooleanField(required=False, default=True)


def assignment_values(parsed: dict) -> dict:
    """Validated data (by source) or fields parsed one by one (by name) as service values."""
    renamed = {"facility_id": "facility", "contract_id": "contract"}
    return {
        renamed.get(key, key): value
        for key, value in parsed.items()
        if key not in ("worker", "worker_id")
    }


class AssignmentListApi(ScopedAPIView):
    """Assignments in scope (filters ``worker``, ``facility``, ``active_on`` = date); POST
    stations a worker in scope (every problem at once, nothing written)."""

    selector = staticmethod(assignments_visible)
    model = Assignment
    capability = staticmethod(permissions.can_see_social_workers)

    @extend_schema(responses={200: AssignmentSerializer(many=True)})
    def get(self, request):
        queryset = self.get_queryset().order_by("-started_on", "pk")
        for name in ("worker", "facility"):
            key = record_id(request.query_params.get(name))
            if key is not None:
                queryset = queryset.filter(**{f"{name}_id": key})
        day = (
            serializers.DateField().to_internal_value(request.query_params["active_on"])
            if (request.query_params.get("active_on"))
            else None
        )
        if day is not None:
            queryset = queryset.filter(started_on__lte=day).exclude(ended_on__lt=day)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    @extend_schema(request=AssignmentSerializer, responses={201: AssignmentSerializer})
    def post(self, request):
        require_manager(self.membership)

        def worker_of(values):
            key = values.get("worker_id", values.get("worker"))
            return social_workers_visible(self.scope).filter(pk=key or 0).first()

        def check(values):
            worker = worker_of(values)
            if worker is None:
                raise ValidationError({"worker": [_("该社工不存在或不在您的管辖范围内。")]})
            assignment_check(actor=self.membership, worker=worker, **assignment_values(values))

        parsed = api_validated(AssignmentSerializer(data=request.data), check)
        check(parsed)
        assignment = assignment_create(
            actor=self.membership, worker=worker_of(parsed), **assignment_values(parsed)
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentEndApi(ScopedAPIView):
    """POST {"on"}: end an open assignment on its last day."""

    selector = staticmethod(assignments_visible)
    model = Assignment
    capability = staticmethod(permissions.can_see_social_workers)

    class EndSerializer(serializers.Serializer):
        on = serializers.DateField()

    @extend_schema(request=EndSerializer, responses={200: AssignmentSerializer})
    def post(self, request, pk: int):
        assignment = self.get_object()
        require_manager(self.membership)
        data = self.EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = assignment_end(
            actor=self.membership, assignment=assignment, on=data.validated_data["on"]
        )
        return Response(AssignmentSerializer(ended).data)


class TrainingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    worker = serializers.IntegerField(source="worker_id", help_text="social worker id")
    course = serializers.CharField(max_length=200)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    held_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="hours, ≤ 24 a day")
    form = serializers.ChoiceField(choices=TrainingForm.choices, help_text="online/offline")
    certificate_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


class TrainingListApi(ScopedAPIView):
    """Training records in scope (filters ``worker``, ``year``); POST records one for a
    worker in scope (at most 24 hours a day in all; every problem at once)."""

    selector = staticmethod(trainings_visible)
    model = Training
    capability = staticmethod(permissions.can_see_social_workers)

    @extend_schema(responses={200: TrainingSerializer(many=True)})
    def get(self, request):
        queryset = self.get_queryset().order_by("-held_on", "pk")
        worker = record_id(request.query_params.get("worker"))
        if worker is not None:
            queryset = queryset.filter(worker_id=worker)
        year = request.query_params.get("year", "")
        if year.isascii() and year.isdecimal() and len(year) == 4:
            queryset = queryset.filter(held_on__year=int(year))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TrainingSerializer(page, many=True).data)

    @extend_schema(request=TrainingSerializer, responses={201: TrainingSerializer})
    def post(self, request):
        require_manager(self.membership)

        def worker_of(values):
            key = values.get("worker_id", values.get("worker"))
            return social_workers_visible(self.scope).filter(pk=key or 0).first()

        def fields_of(values):
            return {k: v for k, v in values.items() if k not in ("worker", "worker_id")}

        def check(values):
            worker = worker_of(values)
            if worker is None:
                raise ValidationError({"worker": [_("该社工不存在或不在您的管辖范围内。")]})
            training_check(actor=self.membership, worker=worker, **fields_of(values))

        parsed = api_validated(TrainingSerializer(data=request.data), check)
        check(parsed)
        training = training_create(
            actor=self.membership, worker=worker_of(parsed), **fields_of(parsed)
        )
        return Response(TrainingSerializer(training).data, status=status.HTTP_201_CREATED)


class PopulationSerializer(serializers.Serializer):
    division = serializers.CharField(help_text="code of the city or a county")
    division_name = serializers.CharField(source="division.name", read_only=True)
    year = serializers.IntegerField()
    population = serializers.IntegerField(help_text="residents")
    # Declared fields leave the class namespace, so this does not shadow Field.source.
    source = serializers.CharField(max_length=200)  # type: ignore[assignment]

    def to_representation(self, row) -> dict:
        data = super().to_representation(row)
        data["division"] = row.division.short_code
        return data


class PopulationApi(ScopedAPIView):
    """The city's and counties' population by year (filters ``division``, ``year``); POST
    sets one figure with its source (city admins), replacing that year's."""

    selector = staticmethod(population_visible)
    model = Population
    capability = staticmethod(station_permissions.can_see_network)
    pagination_class = None

    @extend_schema(responses={200: PopulationSerializer(many=True)})
    def get(self, request):
        rows = self.get_queryset().order_by("division_id", "year")
        code = request.query_params.get("division", "")
        if code.isascii() and code.isdecimal() and len(code) in (4, 6, 12):
            rows = rows.filter(division_id=code.ljust(12, "0"))
        year = request.query_params.get("year", "")
        if year.isascii() and year.isdecimal() and len(year) == 4:
            rows = rows.filter(year=int(year))
        return Response(PopulationSerializer(rows, many=True).data)

    @extend_schema(request=PopulationSerializer, responses={201: PopulationSerializer})
    def post(self, request):
        parsed = api_validated(
            PopulationSerializer(data=request.data),
            lambda values: population_check(
                actor=self.membership,
                **{"division": "", "year": 0, "population": 0, "source": "", **values},
            ),
        )
        row = population_set(actor=self.membership, **parsed)
        return Response(PopulationSerializer(row).data, status=status.HTTP_201_CREATED)


class SummaryQuerySerializer(serializers.Serializer):
    division = serializers.CharField(
        required=False, allow_blank=True, help_text="city or county code; default: own scope"
    )
    as_of = serializers.DateField(required=False, help_text="YYYY-MM-DD; default today")
    since = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="growth from the end of…"
    )


class WorkforceSummaryApi(ScopedAPIView):
    """The workforce figures of a city or county on a day (workforce.summary):
    ``{"division", "as_of", "licensed", "by_level", "per_thousand"`` (‰), ``"population",
    "population_year", "growth": {"since", "from", "to", "rate"}`` (fraction),
    ``"specialties": {code: share}`` (fractions), ``"townships_without_licensed": [...],
    "expiring_registrations", "passes": {"year", "count", "previous", "rate"}}`` (national
    exam passes of the day's year and the year before; rate a fraction). Another city or
    county answers 404; a township, a day outside 2000-01-01…today, or a ``since`` not
    before the day's year, 400 with every problem at once."""

    capability = staticmethod(station_permissions.can_see_network)

    @extend_schema(parameters=[SummaryQuerySerializer], responses={200: None})
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        # Every problem at once: the parameters that did not parse and those that did but
        # do not fit.
        errors: dict[str, list] = {} if query.is_valid() else dict(query.errors)
        values = query.validated_data if not errors else {}
        division = self.membership.scope_division
        code = request.query_params.get("division", "").strip()
        if code:
            division = division_get(self.scope, code, counting=False)  # 404 outside the scope
            if division.level not in (Level.CITY, Level.COUNTY):
                errors["division"] = [_("请选择市或县（市、区）。")]
        as_of = values.get("as_of") or timezone.localdate()
        if "as_of" not in errors and date_problem(as_of):
            errors["as_of"] = [date_problem(as_of)]
        since = values.get("since")
        if since is not None and since >= as_of.year:
            errors["since"] = [
                _("增长起算年份应早于统计日期所在年份 %(year)d。") % {"year": as_of.year}
            ]
        if errors:
            raise ValidationError(errors)
        summary = workforce_summary(self.scope, division, as_of, since=since)
        return Response(
            {
                "division": summary.division.short_code,
                "as_of": summary.as_of,
                "licensed": summary.licensed,
                "by_level": summary.by_level,
                "per_thousand": summary.per_thousand,
                "population": summary.population,
                "population_year": summary.population_year,
                "growth": {
                    "since": summary.growth_since,
                    "from": summary.growth_from,
                    "to": summary.licensed,
                    "rate": summary.growth_rate,
                },
                "specialties": summary.specialties,
                "townships_without_licensed": summary.townships_without_licensed,
                "expiring_registrations": summary.expiring_registrations,
                "passes": summary.passes,
            }
        )
