"""The answer to a sign-in refused by the lockout (django-axes, AXES_LOCKOUT_CALLABLE).

Under /api/ the common error body with status 429 and code ``locked_out``;
elsewhere the Chinese page in the layout. Both say how long the lockout
lasts and who can lift it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_minutes() -> int:
    """Minutes a locked-out username and address stay refused (LOGIN_COOLOFF_MINUTES)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "连续 %(limit)d 次登录失败，该账号在本机暂时锁定 %(minutes)d 分钟。"
        "如需提前解锁，请联系市级管理员或系统运维人员。"
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": lockout_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """The lockout answer for ``request`` (signature required by django-axes)."""
    from config.api import error_body

    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(status, "locked_out", lockout_message()), status=status)
    context = {"message": lockout_message()}
    return render(request, "registration/locked_out.html", context, status=status)
