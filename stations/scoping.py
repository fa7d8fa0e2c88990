"""The one place that decides which membership a request acts through and what it may see.

``Scope`` is the value every selector applies: built once per request (or
restored from a job's snapshot) from the acting membership: the tenant, the
county (or none for the whole tenant), whether the station network is
visible, and the id sets that apps contribute through providers registered at
start-up (``register_scope_provider``): the facilities a contractor's live
contracts cover, the contracts assigned to an evaluator, and so on. The
stations app imports no later app; procurement registers its providers in its
``AppConfig.ready()``.

HTML views derive from ``ScopedView`` and DRF views from ``ScopedAPIView``.
Both own ``get_queryset``/``get_object`` (a subclass that overrides them is
refused when its class is created): a subclass names a selector (a function
of the scope) and may only narrow what it returns. Objects outside the scope
answer 404, exactly like objects that do not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from rest_framework import exceptions as api_exceptions
from rest_framework.generics import GenericAPIView

from stations import permissions
from stations.models import Division, Membership, Tenant

# The id sets apps contribute to a scope (DESIGN.md §2). A key names what the ids are of.
FACILITIES = "facilities"
CONTRACTS = "contracts"
ORGANISATIONS = "organisations"

ScopeProvider = Callable[[Membership], "frozenset[int] | None"]
_PROVIDERS: dict[str, list[ScopeProvider]] = {}


def register_scope_provider(key: str, provider: ScopeProvider) -> None:
    """Contribute to the ``key`` id set of every scope built from now on.

    ``provider(membership)`` returns the ids of ``key`` the membership may see,
    or None when it does not restrict that membership. A scope holds the union
    of the sets its providers return, or no restriction (beyond tenant and
    county) when every provider returned None. Call it from ``AppConfig.ready()``;
    registering the same function twice has no effect.
    """
    providers = _PROVIDERS.setdefault(key, [])
    if provider not in providers:
        providers.append(provider)


def network_facilities(membership: Membership) -> frozenset[int] | None:
    """The stations app's own provider: roles without the network see no facility.

    Another app's provider (procurement: the stations a contractor's live
    contracts cover) adds the facilities such a role may see.
    """
    return None if permissions.can_see_network(membership) else frozenset()


@dataclass(frozen=True)
class Scope:
    """What one membership may see: tenant, county or none, network, contributed id sets.

    A plain value: it can be stored with a job (``snapshot``/``from_snapshot``)
    and the job then runs with exactly the scope of its requester.
    """

    tenant_id: int
    tenant_code: str
    role: str
    county_code: str | None = None  # 6 digits, or None for the whole tenant
    user_id: int | None = None
    network: bool = False  # divisions, coverage and the dashboard
    sets: Mapping[str, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, membership: Membership) -> Scope:
        """The scope of ``membership``, asking every registered provider."""
        sets: dict[str, frozenset[int]] = {}
        for key, providers in _PROVIDERS.items():
            answers = [provider(membership) for provider in providers]
            restricting = [frozenset(answer) for answer in answers if answer is not None]
            if restricting:
                sets[key] = frozenset().union(*restricting)
        return cls(
            tenant_id=membership.tenant_id,
            tenant_code=membership.tenant.code,
            role=membership.role,
            county_code=membership.scope.county_code if membership.scope is not None else None,
            user_id=membership.user_id,
            network=permissions.can_see_network(membership),
            sets=sets,
        )

    @classmethod
    def for_tenant(cls, tenant: Tenant) -> Scope:
        """The whole-city scope that scheduled jobs (no requester) act with."""
        return cls(
            tenant_id=tenant.pk,
            tenant_code=tenant.code,
            role=permissions.SCHEDULED_ROLE,
            network=True,
        )

    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable copy, for a job to run with later."""
        return {
            "tenant_id": self.tenant_id,
            "tenant_code": self.tenant_code,
            "role": self.role,
            "county_code": self.county_code,
            "user_id": self.user_id,
            "network": self.network,
            "sets": {key: sorted(ids) for key, ids in self.sets.items()},
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Scope:
        """The scope ``snapshot`` recorded; the providers are not asked again."""
        return cls(
            tenant_id=int(data["tenant_id"]),
            tenant_code=str(data["tenant_code"]),
            role=str(data["role"]),
            county_code=data.get("county_code") or None,
            user_id=data.get("user_id"),
            network=bool(data.get("network")),
            sets={key: frozenset(ids) for key, ids in (data.get("sets") or {}).items()},
        )

    @property
    def root_code(self) -> str:
        """The full code of the division the scope covers: its county, or the tenant's city."""
        return (self.county_code or self.tenant_code).ljust(12, "0")

    @functools.cached_property
    def division(self) -> Division:
        """The county or city division of ``root_code`` (one query, then kept)."""
        return Division.objects.select_related("parent").get(code=self.root_code)

    def ids(self, key: str) -> frozenset[int] | None:
        """The ids of ``key`` this scope is restricted to, or None when it is not restricted."""
        return self.sets.get(key)

    def restrict(self, queryset: QuerySet, key: str, field: str = "pk") -> QuerySet:
        """``queryset`` limited to the ``key`` ids of the scope (by ``field``), if restricted."""
        ids = self.ids(key)
        return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})

    def contains_county(self, county_code: str) -> bool:
        """Whether a county (6 digits) lies inside the scope's area."""
        return county_code[:4] == self.tenant_code and self.county_code in (None, county_code)


def scope_of(actor: Membership | Scope) -> Scope:
    """The scope of a membership (built once and kept on it) or the scope itself."""
    if isinstance(actor, Scope):
        return actor
    cached = getattr(actor, "_scope_value", None)
    if cached is None:
        cached = Scope.build(actor)
        actor._scope_value = cached  # type: ignore[attr-defined]
    return cached


def memberships_of(user: Any) -> QuerySet[Membership]:
    """Active memberships of a user in active tenants, tenant switcher order."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant", "tenant__division", "scope", "user")
        .order_by("tenant__code")
    )


SESSION_TENANT_KEY = "active_tenant"
TENANT_HEADER = "HTTP_X_TENANT"

Selector = Callable[[Scope], QuerySet]
Capability = Callable[[Membership], bool]


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


_OWNED = ("get_queryset", "get_object")


def _refuse_overrides(cls: type, base: type) -> None:
    """Refuse a subclass of ``base`` whose ``get_queryset``/``get_object`` is not ``base``'s:
    defined on the class itself or on a mixin placed before ``base``."""
    for name in _OWNED:
        owner = next((klass for klass in cls.__mro__ if name in klass.__dict__), base)
        if owner not in base.__mro__:  # base's own, or what base inherits (DRF's get_object)
            raise ImproperlyConfigured(
                f"{cls.__module__}.{cls.__qualname__} overrides {name}(); {base.__name__} owns "
                "it so that every read is scoped. Name a selector and narrow() instead."
            )


class ScopedView(LoginRequiredMixin, View):
    """Base for every tenant page: requires a membership and scopes reads through ``selector``.

    ``capability`` (a function of the membership from a ``permissions`` module)
    decides who may open the page; others get 404 so its existence is not disclosed.
    """

    selector: Selector | None = None
    capability: Capability | None = None
    lookup_url_kwarg = "pk"
    lookup_field = "pk"

    membership: Membership
    scope: Scope

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, ScopedView)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = request.membership
        if membership is None:
            return render(request, "no_membership.html", status=403)
        capability = type(self).capability
        if capability is not None and not capability(membership):
            raise Http404(_("页面不存在"))
        self.membership = membership
        self.scope = scope_of(membership)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        selector = type(self).selector
        if selector is None:
            raise NotImplementedError(f"{type(self).__name__} names no selector")
        return self.narrow(selector(self.scope))

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Hook for subclasses: filter the scoped queryset further, never widen it."""
        return queryset

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg]
        queryset = self.get_queryset()
        try:
            return queryset.get(**{self.lookup_field: value})
        except (queryset.model.DoesNotExist, ValueError) as error:
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
    capability: Capability | None = None

    membership: Membership
    memberships: list[Membership]
    scope: Scope

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, ScopedAPIView)

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
        capability = type(self).capability
        if capability is not None and not capability(membership):
            raise api_exceptions.NotFound()
        self.membership = membership
        self.scope = scope_of(membership)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False) and self.model is not None:
            return self.model._default_manager.none()
        selector = type(self).selector
        if selector is None:
            raise NotImplementedError(f"{type(self).__name__} names no selector")
        return self.narrow(selector(self.scope))

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Hook for subclasses: filter the scoped queryset further, never widen it."""
        return queryset

    def dangerously_get_queryset(self) -> QuerySet:
        """The unscoped queryset. Only for code that has proved it needs it."""
        if self.model is None:
            raise NotImplementedError(f"{type(self).__name__} names no model")
        return self.model._default_manager.all()
