import time

from stations.scoping import session_membership

# Paths that never render the page shell: the API resolves its own membership
# (it may be asked for another tenant), the rest need none.
_SKIPPED_PREFIXES = ("/api/", "/static/", "/media/", "/healthz/", "/i18n/")


class ActiveMembershipMiddleware:
    """Attach ``request.membership``: the membership a page request acts through, or None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if not request.path.startswith(_SKIPPED_PREFIXES):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                request.membership = session_membership(request)
        return self.get_response(request)


# Session key of the last time a request renewed the session (seconds since the epoch).
TOUCHED_KEY = "_touched"
# A session is renewed at most this often: its idle timeout is exact to this many seconds,
# and a burst of requests (a page and its polls) writes the session once, not each time.
TOUCH_EVERY_SECONDS = 60


class SessionIdleMiddleware:
    """End a signed-in session SESSION_COOKIE_AGE after its last request.

    The session (its row and its cookie) is renewed when a request comes more
    than TOUCH_EVERY_SECONDS after the last renewal; signing in counts as one
    (stations.signals).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(TOUCHED_KEY, 0)) >= TOUCH_EVERY_SECONDS:
                session[TOUCHED_KEY] = now  # modified: saved with a new expiry
        return self.get_response(request)


# Session key set at sign-in while the user still has a temporary password.
MUST_CHANGE_KEY = "_must_change_password"
_ALWAYS_ALLOWED = ("/static/", "/i18n/", "/healthz/")


class PasswordChangeRequiredMiddleware:
    """A user signed in with a temporary password reaches only the password page (and
    logout) until they choose their own; API calls answer 403 ``password_change_required``.

    Costs nothing for other sessions: only a flagged session (see stations.signals) is
    checked against the database, and the flag goes once the password has changed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(MUST_CHANGE_KEY):
            response = self.redirect(request)
            if response is not None:
                return response
        return self.get_response(request)

    def redirect(self, request):
        from django.contrib import messages
        from django.http import JsonResponse
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from stations.models import PasswordChangeRequired

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not PasswordChangeRequired.objects.filter(user_id=user.pk).exists():
            del request.session[MUST_CHANGE_KEY]
            return None
        allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"))
        if request.path in allowed or request.path.startswith(_ALWAYS_ALLOWED):
            return None
        message = _("您正在使用临时密码，请先设置自己的密码。")
        if request.path.startswith("/api/"):
            body = {"status": 403, "code": "password_change_required", "message": message}
            return JsonResponse({"error": {**body, "fields": {}}}, status=403)
        messages.warning(request, message)
        return redirect("password_change")
