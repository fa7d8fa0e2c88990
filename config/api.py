"""API plumbing shared by every app: pagination and one error body for every failure.

Every 4xx answer has the shape::

    {"error": {"status": 404, "code": "not_found", "message": "…", "fields": {…}}}

``fields`` maps a field name to its messages and appears on validation errors.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from stations.validation import StateConflict


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError(
                {
                    "page_size": [
                        _("每页条数必须是 1 到 %(max)d 的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(int(raw), self.max_page_size)


class BoundedJSONParser(JSONParser):
    """JSON bodies; one nested too deep for the decoder is a 400 like any malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 嵌套层级过深。")) from None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "conflict"


def _django_validation_to_api(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        fields = dict(error.message_dict)
        if NON_FIELD_ERRORS in fields:  # named as DRF names it
            fields["non_field_errors"] = fields.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(fields)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_api(exc)
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    body: dict = {"status": response.status_code, "fields": {}}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = _("请求数据有误，请检查各字段。")
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["fields"] = {key: _messages(value) for key, value in detail.items()}
    else:
        detail = getattr(exc, "detail", None)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        body["code"] = codes if isinstance(codes, str) else _default_code(response.status_code)
        body["message"] = str(detail) if detail else ""
    response.data = {"error": body}
    return response


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [f"{key}: {item}" for key, items in value.items() for item in _messages(items)]
    return [str(value)]


def _default_code(status_code: int) -> str:
    return {
        status.HTTP_400_BAD_REQUEST: "invalid",
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "permission_denied",
        status.HTTP_404_NOT_FOUND: "not_found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    }.get(status_code, "error")


def error_body(status_code: int, code: str, message: str) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "fields": {}}}


def error_response(status_code: int, code: str, message: str) -> Response:
    """An error answer in the common shape, for views that decide the error themselves."""
    return Response(error_body(status_code, code, message), status=status_code)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404 for the whole site: the common JSON body under /api/, the Chinese page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(404, "not_found", _("未找到。")), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 (a malformed request, an unknown Host header…): the common JSON body under /api/,
    else the Chinese page. Rendered without the request: its host may be the problem."""
    if _is_api(request):
        return JsonResponse(error_body(400, "bad_request", _("请求格式有误。")), status=400)
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def permission_denied(request, exception=None):
    """403: the common JSON body under /api/, the Chinese page (with the reason) elsewhere."""
    if _is_api(request):
        message = str(exception) if exception and str(exception) else _("没有权限。")
        return JsonResponse(error_body(403, "permission_denied", message), status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """500 for the whole site: the common JSON body under /api/, a plain page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body(500, "server_error", _("服务器内部错误，已记录。")), status=500
        )
    return defaults.server_error(request)
