"""Facilities and coverage through the API, with scoping and bad input."""

from datetime import date

import pytest

from stations.models import Facility, FacilityOperatingPeriod
from tests.factories import station
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


class TestFacilitiesApi:
    def test_create_with_the_proposed_name_then_read_update_close_reopen_and_rate(self, world):
        api = api_for(world.county_officer)
        created = api.post(
            "/api/v1/facilities/",
            {
                "level": "township_station",
                "division": "450202001",
                "status": "operating",
                "established_on": "2021-03-01",
                "office_area_m2": "120.0",
                "has_site": True,
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["name"] == "城中区城中街道社会工作服务站"
        assert body["division"] == "450202001" and body["status"] == "operating"
        url = f"/api/v1/facilities/{body['id']}/"
        assert api.get(url).json()["six_haves"][0] == {
            "item": "site",
            "label": "有场地",
            "met": True,
            "note": "",
        }
        patched = api.patch(
            url,
            {"phone": "0772-1234567", "is_demonstration": True, "demonstration_year": 2022},
            format="json",
        )
        assert patched.status_code == 200 and patched.json()["is_demonstration"] is True
        closed = api.post(
            url + "close/",
            {"on": "2023-01-01", "reason": "场地调整", "status": "suspended"},
            format="json",
        )
        assert closed.json()["status"] == "suspended"
        reopened = api.post(url + "open/", {"on": "2023-02-01"}, format="json")
        assert reopened.json()["status"] == "operating"
        rated = api.post(url + "ratings/", {"stars": 4, "rated_on": "2023-06-01"}, format="json")
        assert rated.status_code == 201 and rated.json()["current_stars"] == 4
        assert FacilityOperatingPeriod.objects.filter(facility_id=body["id"]).count() == 2

    def test_list_filters(self, world):
        station(
            world.county_officer,
            "450202001",
            date(2021, 1, 1),
            is_demonstration=True,
            demonstration_year=2022,
        )
        station(world.county_officer, "450202002", date(2021, 1, 1))
        station(world.other_county_officer, "450206100", date(2021, 1, 1))
        api = api_for(world.city_viewer)
        assert api.get("/api/v1/facilities/").json()["count"] == 3
        assert api.get("/api/v1/facilities/?county=450202").json()["count"] == 2
        assert api.get("/api/v1/facilities/?demonstration=true").json()["count"] == 1
        assert api.get("/api/v1/facilities/?q=拉堡").json()["count"] == 1
        assert api.get("/api/v1/facilities/?status=closed").json()["count"] == 0
        assert api.get("/api/v1/facilities/?six_haves_complete=false").json()["count"] == 3
        body = assert_error(api.get("/api/v1/facilities/?level=moon"), 400, "invalid")
        assert "level" in body["fields"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"level": "township_station", "division": "450202"}, "division"),
            ({"level": "township_station", "division": "450206001"}, "division"),
            ({"level": "township_station", "division": "45x"}, "division"),
            (
                {"level": "township_station", "division": "450202001", "status": "operating"},
                "established_on",
            ),
            (
                {
                    "level": "township_station",
                    "division": "450202001",
                    "established_on": "2021-13-01",
                },
                "established_on",
            ),
            (
                {"level": "township_station", "division": "450202001", "office_area_m2": -1},
                "office_area_m2",
            ),
            ({"level": "township_station"}, "division"),
            ({"division": "450202001"}, "level"),
        ],
    )
    def test_bad_input_gives_field_errors_and_writes_nothing(self, world, payload, field):
        response = api_for(world.county_officer).post("/api/v1/facilities/", payload, format="json")
        body = assert_error(response, 400, "invalid")
        assert field in body["fields"]
        assert not Facility.objects.exists()

    def test_a_second_operating_station_is_refused(self, world):
        station(world.county_officer, "450202001", date(2021, 1, 1))
        response = api_for(world.city_admin).post(
            "/api/v1/facilities/",
            {
                "level": "township_station",
                "division": "450202001",
                "status": "operating",
                "established_on": "2022-01-01",
                "name": "第二站",
            },
            format="json",
        )
        body = assert_error(response, 400, "invalid")
        assert "同一时间只能有一个" in body["fields"]["division"][0]

    def test_closing_before_opening_and_bad_stars_are_refused(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 6, 1))
        api = api_for(world.county_officer)
        url = f"/api/v1/facilities/{facility.pk}/"
        assert (
            "on"
            in assert_error(
                api.post(url + "close/", {"on": "2021-01-01", "reason": "x"}, format="json"),
                400,
                "invalid",
            )["fields"]
        )
        assert (
            "stars"
            in assert_error(
                api.post(url + "ratings/", {"stars": 6, "rated_on": "2023-01-01"}, format="json"),
                400,
                "invalid",
            )["fields"]
        )
        assert (
            "on"
            in assert_error(
                api.post(url + "close/", {"on": "yesterday", "reason": "x"}, format="json"),
                400,
                "invalid",
            )["fields"]
        )

    def test_viewers_cannot_write(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 6, 1))
        api = api_for(world.city_viewer)
        assert_error(
            api.patch(f"/api/v1/facilities/{facility.pk}/", {"phone": "1"}, format="json"),
            403,
            "permission_denied",
        )
        assert_error(
            api.post(
                "/api/v1/facilities/",
                {"level": "township_station", "division": "450202002"},
                format="json",
            ),
            403,
            "permission_denied",
        )

    @pytest.mark.parametrize(
        "who", ["other_county_officer", "other_tenant_admin", "contractor", "evaluator"]
    )
    def test_another_county_tenant_or_role_gets_404_and_sees_nothing(self, world, who):
        facility = station(world.county_officer, "450202001", date(2021, 6, 1))
        api = api_for(getattr(world, who))
        url = f"/api/v1/facilities/{facility.pk}/"
        listing = api.get("/api/v1/facilities/")
        assert listing.status_code == 404 or listing.json()["count"] == 0
        assert_error(api.get(url), 404, "not_found")
        assert_error(api.patch(url, {"phone": "1"}, format="json"), 404, "not_found")
        assert_error(
            api.post(url + "close/", {"on": "2022-01-01", "reason": "x"}, format="json"),
            404,
            "not_found",
        )
        assert_error(api.post(url + "open/", {"on": "2022-01-01"}, format="json"), 404, "not_found")
        assert_error(
            api.post(url + "ratings/", {"stars": 3, "rated_on": "2022-01-01"}, format="json"),
            404,
            "not_found",
        )
        facility.refresh_from_db()
        assert facility.phone == "" and facility.status == "operating"


class TestCoverageApi:
    def test_shape_and_numbers(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        station(world.other_county_officer, "450206100", date(2021, 6, 1))
        body = (
            api_for(world.city_viewer)
            .get("/api/v1/coverage/?division=4502&as_of=2021-12-31")
            .json()
        )
        assert set(body) == {
            "division",
            "name",
            "as_of",
            "covered",
            "total",
            "rate",
            "facilities",
            "children",
            "uncovered",
        }
        assert (body["division"], body["name"], body["as_of"]) == ("4502", "柳州市", "2021-12-31")
        assert (body["covered"], body["total"], body["rate"]) == (2, 118, round(2 / 118, 4))
        assert body["facilities"] == {
            "city_centre": 0,
            "county_centre": 0,
            "township_station": 2,
            "village_room": 0,
        }
        assert body["children"][0] == {
            "division": "450202",
            "name": "城中区",
            "covered": 1,
            "total": 7,
            "rate": round(1 / 7, 4),
        }
        assert len(body["uncovered"]) == 116
        past = api_for(world.city_viewer).get("/api/v1/coverage/?as_of=2020-12-31").json()
        assert past["covered"] == 1

    def test_timeline(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        body = (
            api_for(world.county_officer)
            .get("/api/v1/coverage/timeline/?start=2020-04-01&end=2020-07-15")
            .json()
        )
        assert body["division"] == "450202"
        assert [(p["date"], p["covered"], p["total"]) for p in body["points"]] == [
            ("2020-04-30", 0, 7),
            ("2020-05-31", 0, 7),
            ("2020-06-30", 1, 7),
            ("2020-07-15", 1, 7),
        ]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("as_of=2021-02-30", "as_of"),
            ("as_of=2999-01-01", "as_of"),
            ("division=450202001001", "division"),
        ],
    )
    def test_bad_queries(self, world, query, field):
        body = assert_error(
            api_for(world.city_admin).get(f"/api/v1/coverage/?{query}"), 400, "invalid"
        )
        assert field in body["fields"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("start=2022-01-01&end=2021-01-01", "start"),
            ("start=1990-01-01&end=2022-01-01", "start"),
            ("end=bad", "end"),
        ],
    )
    def test_bad_timeline_queries(self, world, query, field):
        body = assert_error(
            api_for(world.city_admin).get(f"/api/v1/coverage/timeline/?{query}"), 400, "invalid"
        )
        assert field in body["fields"]

    @pytest.mark.parametrize(
        ("who", "code"),
        [
            ("county_officer", "450206"),
            ("county_officer", "4502"),
            ("county_officer", "450206001"),
            ("other_tenant_admin", "4502"),
            ("other_tenant_admin", "450202"),
            ("city_admin", "4503"),
        ],
    )
    def test_out_of_scope_is_404(self, world, who, code):
        api = api_for(getattr(world, who))
        assert_error(api.get(f"/api/v1/coverage/?division={code}"), 404, "not_found")
        assert_error(api.get(f"/api/v1/coverage/timeline/?division={code}"), 404, "not_found")

    @pytest.mark.parametrize("who", ["contractor", "evaluator"])
    def test_contractors_and_evaluators_get_404(self, world, who):
        assert_error(api_for(getattr(world, who)).get("/api/v1/coverage/"), 404, "not_found")
