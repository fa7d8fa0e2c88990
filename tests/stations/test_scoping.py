"""The scope value, its providers, the view bases that own every read, and the route walk."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports import services as report_services
from reports.exports import divisions_export
from reports.models import Job
from stations import scoping
from stations.models import Facility
from stations.scoping import Scope, ScopedAPIView, ScopedView, scope_of
from stations.selectors import divisions_visible, facilities_visible
from tests.factories import station
from tests.helpers import sheets

pytestmark = pytest.mark.django_db

# Routes that are not tenant data and so need no scope, each with its reason.
UNSCOPED_ROUTES = {
    "login": "signing in",
    "logout": "signing out",
    "password_change": "the user's own password",
    "password_change_done": "the user's own password",
    "stations:api-token": "signing in through the API",
    "stations:api-token-logout": "the caller's own API tokens",
    "stations:api-token-logoutall": "the caller's own API tokens",
    "stations:api-token-list": "the caller's own API tokens",
    "stations:api-token-revoke": "the caller's own API tokens",
    "stations:healthz": "load balancer health",
    "api-schema": "the OpenAPI schema (no data)",
    "api-docs": "the API documentation (no data)",
    "set_language": "i18n",
}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", entry


class TestScope:
    def test_a_county_officer_sees_one_county_a_city_admin_the_city(self, world):
        county = scope_of(world.county_officer)
        assert (county.tenant_code, county.county_code, county.network) == ("4502", "450202", True)
        assert county.root_code == "450202000000"
        city = scope_of(world.city_admin)
        assert (city.county_code, city.root_code, city.network) == (None, "450200000000", True)
        assert city.ids(scoping.FACILITIES) is None

    def test_contractors_and_evaluators_see_no_network_and_no_facility(self, world):
        station(world.county_officer, "450202001", date(2021, 1, 1))
        for membership in (world.contractor, world.evaluator):
            scope = scope_of(membership)
            assert scope.network is False
            assert scope.ids(scoping.FACILITIES) == frozenset()
            assert not facilities_visible(scope).exists()
            assert not divisions_visible(scope).exists()

    def test_the_scope_is_built_once_per_membership(self, world, django_assert_num_queries):
        first = scope_of(world.county_officer)
        with django_assert_num_queries(0):
            assert scope_of(world.county_officer) is first

    def test_a_provider_contributes_the_facilities_a_role_may_see(self, world):
        """What procurement will do for contractors: a set of facility ids, nothing else."""
        one = station(world.county_officer, "450202001", date(2021, 1, 1))
        station(world.county_officer, "450202002", date(2021, 1, 1))
        other_tenant = station(world.other_tenant_admin, "450302001", date(2021, 1, 1))

        def contracted(membership):
            if membership.role != "contractor":
                return None
            return frozenset({one.pk, other_tenant.pk})

        scoping.register_scope_provider(scoping.FACILITIES, contracted)
        try:
            scope = Scope.build(world.contractor)
            # The union of the providers' sets, still inside the tenant.
            assert list(facilities_visible(scope)) == [one]
            assert Scope.build(world.city_admin).ids(scoping.FACILITIES) is None
            assert facilities_visible(Scope.build(world.city_admin)).count() == 2
        finally:
            scoping._PROVIDERS[scoping.FACILITIES].remove(contracted)

    def test_a_snapshot_restores_exactly_the_same_scope(self, world):
        for membership in world.everyone:
            scope = Scope.build(membership)
            assert Scope.from_snapshot(scope.snapshot()) == scope


class TestJobScope:
    def test_a_county_officers_township_job_runs_with_the_county_scope(
        self, world, django_capture_on_commit_callbacks
    ):
        """The old Job.acting_membership dropped the county for a township: city-wide."""
        job = report_services.job_request(
            actor=world.county_officer, kind="divisions_export", division_code="450202001"
        )
        job = Job.objects.get(pk=job.pk)
        assert job.acting_scope() == scope_of(world.county_officer)
        assert job.acting_scope().county_code == "450202"
        _name, content = divisions_export(job, lambda value: None)
        codes = [row[0] for row in sheets(content)["乡级区划"][3:]]
        assert codes == ["450202001000"]

    def test_scheduled_reports_act_with_the_whole_city(self, world):
        jobs = report_services.monthly_reports_schedule(today=date(2026, 11, 1))
        scopes = [job.acting_scope() for job in jobs if job.tenant_id == world.city_admin.tenant_id]
        # Coverage and compliance, PDF and XLSX.
        assert scopes == [Scope.for_tenant(world.city_admin.tenant)] * 4


class TestGuard:
    def test_a_scoped_view_that_overrides_get_queryset_is_refused_at_class_creation(self):
        with pytest.raises(ImproperlyConfigured, match="owns it"):

            class Sneaky(ScopedView):
                def get_queryset(self):
                    return Facility.objects.all()

        with pytest.raises(ImproperlyConfigured, match="get_object"):

            class SneakyApi(ScopedAPIView):
                def get_object(self):
                    return Facility.objects.first()

        class Everything:
            def get_queryset(self):
                return Facility.objects.all()

        with pytest.raises(ImproperlyConfigured, match="get_queryset"):

            class ThroughAMixin(Everything, ScopedView):
                pass

    def test_every_route_is_scoped_or_on_the_short_allow_list(self):
        unscoped = []
        for name, pattern in walk(get_resolver().url_patterns):
            if name.startswith("admin:"):
                continue  # the platform operator's Django admin (superusers only)
            view = getattr(pattern.callback, "view_class", None)
            if view is not None and issubclass(view, ScopedView | ScopedAPIView):
                continue
            if name in UNSCOPED_ROUTES:
                continue
            unscoped.append(f"{pattern.pattern} ({name or 'unnamed'})")
        assert unscoped == []

    def test_the_allow_list_names_only_routes_that_exist(self):
        names = {name for name, _pattern in walk(get_resolver().url_patterns)}
        assert set(UNSCOPED_ROUTES) <= names


class TestOutsiders:
    def test_outsiders_get_404_for_a_county_facility_page_and_api(self, world, outsiders):
        facility = station(world.county_officer, "450202001", date(2021, 1, 1))
        outsiders.assert_page_hidden(reverse("stations:facility-detail", args=[facility.pk]))
        outsiders.assert_api_hidden(reverse("stations:api-facility-detail", args=[facility.pk]))
