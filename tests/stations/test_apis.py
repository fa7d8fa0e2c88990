"""REST API of the stations app: tokens, /me/, divisions, error bodies, scoping."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import PASSWORD, load_divisions, member
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


class TestTokens:
    def test_each_sign_in_gets_its_own_token_and_both_work(self, world):
        a = APIClient().post(
            "/api/v1/auth/token/", {"username": "lz_admin", "password": PASSWORD}, format="json"
        )
        b = APIClient().post(
            "/api/v1/auth/token/", {"username": "lz_admin", "password": PASSWORD}, format="json"
        )
        assert a.json()["token"] != b.json()["token"]
        for body in (a.json(), b.json()):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
            assert client.get("/api/v1/me/").status_code == 200

    def test_wrong_credentials(self, world):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "lz_admin", "password": "x"}, format="json"
        )
        body = assert_error(response, 401, "invalid_credentials")
        assert body["message"] == "用户名或密码错误。"

    def test_missing_fields_give_field_errors(self, world):
        response = APIClient().post("/api/v1/auth/token/", {"username": "lz_admin"}, format="json")
        body = assert_error(response, 400, "invalid")
        assert "password" in body["fields"]

    def test_no_credentials_is_401_and_a_bad_token_too(self, world):
        assert_error(APIClient().get("/api/v1/me/"), 401, "not_authenticated")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token nonsense")
        assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


class TestMe:
    def test_me_lists_memberships_and_the_active_one(self, world):
        body = api_for(world.county_officer).get("/api/v1/me/").json()
        assert body["username"] == "lz_chengzhong"
        assert body["active"] == {
            "tenant": "4502",
            "tenant_name": "柳州市",
            "role": "county_officer",
            "role_display": "县（区）民政干部",
            "scope": "450202",
            "scope_name": "城中区",
        }

    def test_x_tenant_and_query_parameter_select_among_memberships(self, world):
        both = member("both", "4502", "city_viewer")
        member("both", "4503", "city_admin")
        client = api_for(both)
        assert client.get("/api/v1/me/").json()["active"]["tenant"] == "4502"
        assert client.get("/api/v1/me/", HTTP_X_TENANT="4503").json()["active"]["tenant"] == "4503"
        assert client.get("/api/v1/me/?tenant=4503").json()["active"]["role"] == "city_admin"
        assert len(client.get("/api/v1/me/").json()["memberships"]) == 2

    @pytest.mark.parametrize("asked", ["450299", "4502-x", "45", "４５０２", "4502 4503"])
    def test_malformed_tenant_codes_are_404(self, world, asked):
        client = api_for(world.city_admin)
        assert_error(client.get("/api/v1/me/", HTTP_X_TENANT=asked), 404, "tenant_not_found")

    def test_a_tenant_without_membership_is_404(self, world):
        client = api_for(world.city_admin)
        assert_error(client.get("/api/v1/me/", HTTP_X_TENANT="4503"), 404, "tenant_not_found")
        assert_error(client.get("/api/v1/divisions/?tenant=4503"), 404, "tenant_not_found")

    def test_no_membership_is_403(self, world):
        from tests.factories import UserFactory

        UserFactory(username="lonely")
        client = APIClient()
        token = client.post(
            "/api/v1/auth/token/", {"username": "lonely", "password": PASSWORD}, format="json"
        )
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
        assert_error(client.get("/api/v1/me/"), 403, "no_membership")


class TestDivisions:
    def test_children_of_the_city_are_its_counties(self, world):
        body = api_for(world.city_viewer).get("/api/v1/divisions/?parent=4502").json()
        assert body["count"] == 10
        assert set(body) == {"count", "next", "previous", "results"}
        first = body["results"][0]
        assert first["code"] == "450202000000" and first["short_code"] == "450202"
        assert first["name"] == "城中区" and first["level"] == "county"

    def test_level_filter_and_pagination(self, world):
        client = api_for(world.city_admin)
        body = client.get("/api/v1/divisions/?level=township&page_size=100").json()
        assert body["count"] == 118 and len(body["results"]) == 100 and body["next"]
        second = client.get(body["next"]).json()
        assert len(second["results"]) == 18 and second["previous"]
        assert all(row["counted"] for row in body["results"] + second["results"])
        assert len(client.get("/api/v1/divisions/?page_size=5000").json()["results"]) == 1000
        for bad in ("abc", "0", "-1"):
            body = assert_error(client.get(f"/api/v1/divisions/?page_size={bad}"), 400, "invalid")
            assert "page_size" in body["fields"]

    def test_query_count_is_constant(self, world):
        client = api_for(world.city_admin)
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/divisions/?level=village&page_size=1000")
        assert len(queries) <= 8

    def test_detail_accepts_short_and_full_codes(self, world):
        client = api_for(world.city_admin)
        for code in ("4502", "450200000000"):
            body = client.get(f"/api/v1/divisions/{code}/").json()
            assert body["name"] == "柳州市"
            assert body["township_units"] == {"total": 118, "counted": 118, "excluded": 0}
        township = client.get("/api/v1/divisions/450202001/").json()
        assert township["township_kind"] == "subdistrict" and township["counted"] is True

    def test_bad_filters_give_field_errors(self, world):
        client = api_for(world.city_admin)
        body = assert_error(client.get("/api/v1/divisions/?parent=45x"), 400, "invalid")
        assert "区划代码" in body["fields"]["parent"][0]
        body = assert_error(client.get("/api/v1/divisions/?level=planet"), 400, "invalid")
        assert "level" in body["fields"]

    def test_malformed_and_unknown_codes_are_404(self, world):
        client = api_for(world.city_admin)
        assert_error(client.get("/api/v1/divisions/45x/"), 404, "not_found")
        assert_error(client.get("/api/v1/divisions/450299/"), 404, "not_found")

    @pytest.mark.parametrize("code", ["4503", "450302", "450302001", "45", "4501"])
    def test_another_tenant_gets_404_and_sees_nothing(self, world, code):
        client = api_for(world.city_admin)
        assert_error(client.get(f"/api/v1/divisions/{code}/"), 404, "not_found")
        listed = client.get(f"/api/v1/divisions/?parent={code}").json()["results"]
        # Only the tenant's own city can be listed as a child of a foreign code (its province).
        assert all(row["code"].startswith("4502") for row in listed)

    @pytest.mark.parametrize("code", ["450206", "450206001", "4502"])
    def test_another_county_gets_404_and_sees_nothing(self, world, code):
        client = api_for(world.county_officer)
        assert_error(client.get(f"/api/v1/divisions/{code}/"), 404, "not_found")
        listed = client.get(f"/api/v1/divisions/?parent={code}").json()["results"]
        assert all(row["code"].startswith("450202") for row in listed)

    def test_county_officer_lists_only_their_county(self, world):
        body = api_for(world.county_officer).get("/api/v1/divisions/?level=township").json()
        assert body["count"] > 0
        assert all(row["code"].startswith("450202") for row in body["results"])


class TestRoles:
    @pytest.mark.parametrize("who", ["contractor", "evaluator"])
    def test_contractors_and_evaluators_get_no_divisions_or_jobs(self, world, who):
        client = api_for(getattr(world, who))
        assert_error(client.get("/api/v1/divisions/"), 404, "not_found")
        assert_error(client.get("/api/v1/divisions/4502/"), 404, "not_found")
        assert_error(client.get("/api/v1/jobs/"), 404, "not_found")
        response = client.post("/api/v1/jobs/", {"kind": "divisions_export"}, format="json")
        assert_error(response, 404, "not_found")


class TestErrorBodies:
    def test_unknown_api_paths_and_bad_ids_answer_json(self, world):
        client = api_for(world.city_admin)
        assert_error(client.get("/api/v1/nothing/"), 404, "not_found")
        assert_error(client.get("/api/v1/jobs/abc/"), 404, "not_found")

    def test_method_not_allowed(self, world):
        assert_error(api_for(world.city_admin).delete("/api/v1/me/"), 405, "method_not_allowed")


class TestSchema:
    def test_openapi_schema_and_offline_docs(self, world):
        client = api_for(world.city_admin)
        schema = client.get("/api/schema/?format=json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/v1/divisions/{code}/" in paths and "/api/v1/auth/token/" in paths
        docs = client.get("/api/docs/")
        assert docs.status_code == 200
        html = docs.content.decode()
        assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


class TestDivisionSearch:
    def test_several_levels_current_only_and_the_parent_name(self, world):
        """What the division picker asks: a name inside the scope at the field's levels."""
        from stations.models import Division

        Division.objects.filter(code="450202002000").update(retired_on="2024-01-01")
        api = api_for(world.county_officer)
        body = api.get("/api/v1/divisions/?q=街道&level=township,village&retired=false").json()
        names = {row["name"] for row in body["results"]}
        assert "城中街道" in names and "公园街道" not in names
        assert {row["parent_name"] for row in body["results"]} == {"城中区"}
        every = api.get("/api/v1/divisions/?level=county,township&page_size=100").json()
        assert {row["level"] for row in every["results"]} == {"county", "township"}
        assert_error(api.get("/api/v1/divisions/?level=county,planet"), 400, "invalid")

    def test_within_gives_every_descendant_at_a_level(self, world):
        load_divisions("5223")
        admin = member("qxn_admin", "5223", "city_admin")
        api = api_for(admin)
        body = api.get("/api/v1/divisions/?within=5223&level=township&page_size=1000").json()
        codes = [row["code"] for row in body["results"]]
        assert body["count"] > 50 and all(code.startswith("5223") for code in codes)
        assert {row["level"] for row in body["results"]} == {"township"}
        county = api.get("/api/v1/divisions/?within=522301&page_size=1000").json()["results"]
        assert county and "522301000000" not in [row["code"] for row in county]

    def test_a_parent_with_a_level_below_its_children_points_to_within(self, world):
        body = assert_error(
            api_for(world.city_admin).get("/api/v1/divisions/?parent=4502&level=township"),
            400,
            "invalid",
        )
        assert "within" in body["fields"]["level"][0]

    def test_q_searches_names_and_codes_in_scope_only(self, world):
        api = api_for(world.county_officer)
        by_name = api.get("/api/v1/divisions/", {"q": "城中"}).json()["results"]
        assert by_name and all(row["code"].startswith("450202") for row in by_name)
        by_code = api.get("/api/v1/divisions/", {"q": "450202001"}).json()["results"]
        assert by_code[0]["code"] == "450202001000"
        assert all(row["code"].startswith("450202001") for row in by_code)
        # Another county's township is not found, whatever the query.
        assert api.get("/api/v1/divisions/", {"q": "450206"}).json()["results"] == []

    def test_within_outside_the_scope_finds_nothing(self, world):
        api = api_for(world.county_officer)
        assert api.get("/api/v1/divisions/?within=450206").json()["results"] == []
        assert api.get("/api/v1/divisions/?within=4503").json()["results"] == []
