"""The one place that decides which membership a request acts through and what it may see.

HTML views derive from ``ScopedView`` and DRF views from ``ScopedAPIView``.
Both own ``get_queryset``/``get_object``: a subclass names a selector (a
function of the acting membership) and may only narrow what it returns.
Objects outside the scope answer 404, exactly like objects that do not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from rest_framework import exceptions as api_exceptions
from rest_framework.generics import GenericAPIView

from stations.models import Membership
from stations.selectors import memberships_of

SESSION_TENANT_KEY = "active_tenant"
TENANT_HEADER = "HTTP_X_TENANT"

Selector = Callable[[Membership], QuerySet]


def choose_membership(
    memberships: Iterable[Membership], tenant_code: str | None
) -> Membership | None:
    """The membership for ``tenant_code`` or, when none is asked for, the first one."""
    memberships = list(memberships)
    if tenant_code:
        code = str(tenant_code).strip()
        return next((m for m in memberships if m.tenant.code == code), None)
    return memberships[0] if memberships else None


def session_membership(request: HttpRequest) -> Membership | None:
    """The membership an HTML request acts through: the session's tenant, else the first.

    All the user's memberships are kept on ``request._memberships`` for the tenant switcher.
    """
    memberships = list(memberships_of(request.user))
    request._memberships = memberships  # type: ignore[attr-defined]
    chosen = choose_membership(memberships, request.session.get(SESSION_TENANT_KEY))
    return chosen or (memberships[0] if memberships else None)


class ScopedView(LoginRequiredMixin, View):
    """Base for every tenant page: requires a membership and scopes reads through ``selector``."""

    selector: Selector | None = None
    # Roles that may open the page; others get 404 so the page's existence is not disclosed.
    allowed_roles: tuple[str, ...] | None = None
    lookup_url_kwarg = "pk"
    lookup_field = "pk"

    membership: Membership

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = request.membership
        if membership is None:
            return render(request, "no_membership.html", status=403)
        if self.allowed_roles is not None and membership.role not in self.allowed_roles:
            raise Http404(_("页面不存在"))
        self.membership = membership
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        if self.selector is None:
            raise NotImplementedError(f"{type(self).__name__} names no selector")
        return self.narrow(type(self).selector(self.membership))  # type: ignore[misc]

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Hook for subclasses: filter the scoped queryset further, never widen it."""
        return queryset

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg]
        try:
            return self.get_queryset().get(**{self.lookup_field: value})
        except (self.get_queryset().model.DoesNotExist, ValueError) as error:
            raise Http404(_("对象不存在")) from error

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise PermissionDenied(message)


class ScopedAPIView(GenericAPIView):
    """Base for every tenant API: resolves the membership and scopes through ``selector``.

    The tenant is chosen with the ``X-Tenant`` header or ``?tenant=``; without
    either, the session's tenant or the user's first membership is used.
    """

    selector: Selector | None = None
    # The selector's model, so the schema generator can inspect the view without a request.
    model: type[Model] | None = None
    allowed_roles: tuple[str, ...] | None = None

    membership: Membership
    memberships: list[Membership]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        asked = request.META.get(TENANT_HEADER) or request.query_params.get("tenant")
        memberships = list(memberships_of(request.user))
        self.memberships = memberships
        if asked:
            membership = choose_membership(memberships, asked)
            if membership is None:
                raise api_exceptions.NotFound(
                    _("租户不存在或您不是其成员。"), code="tenant_not_found"
                )
        else:
            membership = choose_membership(
                memberships, getattr(request, "session", {}).get(SESSION_TENANT_KEY)
            ) or choose_membership(memberships, None)
        if membership is None:
            raise api_exceptions.PermissionDenied(
                _("您还没有任何租户的成员身份。"), code="no_membership"
            )
        if self.allowed_roles is not None and membership.role not in self.allowed_roles:
            raise api_exceptions.NotFound()
        self.membership = membership

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False) and self.model is not None:
            return self.model._default_manager.none()
        if self.selector is None:
            raise NotImplementedError(f"{type(self).__name__} names no selector")
        return self.narrow(type(self).selector(self.membership))  # type: ignore[misc]

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Hook for subclasses: filter the scoped queryset further, never widen it."""
        return queryset

    def dangerously_get_queryset(self) -> QuerySet:
        """The unscoped queryset. Only for code that has proved it needs it."""
        if self.model is None:
            raise NotImplementedError(f"{type(self).__name__} names no model")
        return self.model._default_manager.all()
