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
