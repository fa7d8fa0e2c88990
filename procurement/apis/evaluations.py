"""Evaluations API: the purchaser assigns (POST), the evaluator submits (multipart with
the report PDF), the purchaser accepts or returns with a reason; the report PDF.

Fields: ``organisation`` (evaluation organisation id), ``contract`` (id), ``period_start``,
``period_end``, ``status``, ``evaluated_on``, ``score`` (0–100, one decimal), ``grade``
(``excellent`` 优秀, ``good`` 良好, ``pass`` 合格, ``fail`` 不合格), ``findings``,
``return_reason``. A review of an evaluation that is not (or no longer) submitted answers
409 ``conflict`` and changes nothing.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from procurement import permissions, services
from procurement.models import Evaluation, EvaluationGrade, EvaluationStatus
from procurement.selectors import contracts_visible, evaluations_visible
from stations.scoping import ScopedAPIView
from stations.validation import api_validated


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id", help_text="evaluation organisation id"
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    contract = serializers.IntegerField(source="contract_id", help_text="contract id")
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    evaluated_on = serializers.DateField(read_only=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True)
    grade = serializers.CharField(read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    findings = serializers.CharField(read_only=True)
    has_report = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)
    return_reason = serializers.CharField(read_only=True)

    def get_has_report(self, evaluation: Evaluation) -> bool:
        return bool(evaluation.report)


class SubmitSerializer(serializers.Serializer):
    evaluated_on = serializers.DateField()
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, help_text="0–100"
    )
    grade = serializers.ChoiceField(choices=EvaluationGrade.choices)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    report = serializers.FileField(required=False, help_text="the report as a PDF")


class EvaluationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices, label=_("状态"))
    contract = django_filters.NumberFilter(field_name="contract_id", label=_("合同"))
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("评估机构"))

    class Meta:
        model = Evaluation
        fields = ["status", "contract", "organisation"]


class EvaluationListApi(ScopedAPIView):
    """Evaluations in scope (filters ``status``, ``contract``, ``organisation``); POST assigns
    one (the contract's purchaser): an organisation holding a station contract is refused
    (clause 二(三)3)."""

    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)
    filterset_class = EvaluationFilter

    @extend_schema(responses={200: EvaluationSerializer(many=True)})
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("-period_end", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EvaluationSerializer(page, many=True).data)

    @extend_schema(request=EvaluationSerializer, responses={201: EvaluationSerializer})
    def post(self, request):
        def values_of(parsed):
            # Validated data is keyed by source, fields parsed one by one by their name.
            contract_id = parsed.get("contract_id", parsed.get("contract"))
            contract = (
                contracts_visible(self.scope).filter(pk=contract_id).first()
                if contract_id is not None
                else None
            )
            return {
                "contract": contract,
                "organisation": parsed.get("organisation_id", parsed.get("organisation")),
                "period_start": parsed.get("period_start"),
                "period_end": parsed.get("period_end"),
            }

        parsed = api_validated(
            EvaluationSerializer(data=request.data),
            lambda values: services.evaluation_assign_check(
                actor=self.membership, **values_of(values)
            ),
        )
        evaluation = services.evaluation_assign(actor=self.membership, **values_of(parsed))
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class EvaluationDetailApi(ScopedAPIView):
    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)

    @extend_schema(responses={200: EvaluationSerializer})
    def get(self, request, pk: int):
        return Response(EvaluationSerializer(self.get_object()).data)


class EvaluationSubmitApi(ScopedAPIView):
    """POST (multipart, or JSON when a report was submitted before): the evaluator submits."""

    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=SubmitSerializer, responses={200: EvaluationSerializer})
    def post(self, request, pk: int):
        evaluation = self.get_object()
        parsed = api_validated(
            SubmitSerializer(data=request.data),
            lambda values: services.evaluation_submit_check(
                actor=self.membership, evaluation=evaluation, **values
            ),
        )
        services.evaluation_submit(actor=self.membership, evaluation=evaluation, **parsed)
        return Response(EvaluationSerializer(self.get_object()).data)


class EvaluationAcceptApi(ScopedAPIView):
    """POST: the purchaser accepts a submitted evaluation (409 when it is not submitted)."""

    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)

    @extend_schema(request=None, responses={200: EvaluationSerializer})
    def post(self, request, pk: int):
        services.evaluation_accept(actor=self.membership, evaluation=self.get_object())
        return Response(EvaluationSerializer(self.get_object()).data)


class EvaluationReturnApi(ScopedAPIView):
    """POST {"reason"}: the purchaser returns a submitted evaluation to its evaluator."""

    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)

    class ReturnSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=ReturnSerializer, responses={200: EvaluationSerializer})
    def post(self, request, pk: int):
        evaluation = self.get_object()
        data = self.ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.evaluation_return(
            actor=self.membership, evaluation=evaluation, reason=data.validated_data["reason"]
        )
        return Response(EvaluationSerializer(self.get_object()).data)


class EvaluationReportApi(ScopedAPIView):
    """GET the evaluation report (PDF) of an evaluation in scope."""

    selector = staticmethod(evaluations_visible)
    model = Evaluation
    capability = staticmethod(permissions.can_see_evaluations)

    def get(self, request, pk: int):
        evaluation = self.get_object()
        if not evaluation.report:
            raise Http404
        return FileResponse(
            evaluation.report.open("rb"),
            filename=f"evaluation-{evaluation.pk}.pdf",
            content_type="application/pdf",
        )
