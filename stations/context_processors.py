"""Template context for the page shell: the acting membership and the tenant switcher."""

from stations.models import Role


def membership(request):
    active = getattr(request, "membership", None)
    return {
        "membership": active,
        "memberships": getattr(request, "_memberships", None) or [],
        "Role": Role,
    }
