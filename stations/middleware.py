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
