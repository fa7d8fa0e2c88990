"""The supervision API: opening, submitting and reviewing a month with a token, each 409,
completeness, and scope (outsiders get 404)."""

import pytest

from supervision.models import MonthlySubmission
from tests.helpers import api_for, assert_error
from tests.supervision.test_sessions import setting  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "/api/v1/supervision/submissions/"


def open_march(setting):  # noqa: F811
    response = api_for(setting["staff"]).post(
        URL, {"contract": setting["contract"].pk, "month": "2024-03"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_contractor_opens_and_submits_the_purchaser_returns_then_accepts(world, setting):  # noqa: F811
    body = open_march(setting)
    assert (body["month"], body["state"]) == ("2024-03", "draft")
    assert open_march(setting)["id"] == body["id"]  # opening twice: the same month
    staff, officer = api_for(setting["staff"]), api_for(world.county_officer)
    submitted = staff.post(f"{URL}{body['id']}/submit/").json()
    assert submitted["state"] == "submitted" and submitted["deadline"] == "2024-04-10"
    assert_error(staff.post(f"{URL}{body['id']}/submit/"), 409, "conflict")
    assert_error(officer.post(f"{URL}{body['id']}/return/", {}, format="json"), 400, "invalid")
    returned = officer.post(f"{URL}{body['id']}/return/", {"reason": "缺少签到表"}, format="json")
    assert returned.json()["state"] == "returned" and returned.json()["reason"] == "缺少签到表"
    staff.post(f"{URL}{body['id']}/submit/")
    assert officer.post(f"{URL}{body['id']}/accept/").json()["state"] == "accepted"
    for client, action in ((officer, "accept"), (officer, "return"), (staff, "submit")):
        response = client.post(f"{URL}{body['id']}/{action}/", {"reason": "x"}, format="json")
        assert_error(response, 409, "conflict")
    assert_error(officer.post(f"{URL}{body['id']}/unlock/", {"reason": "x"}, format="json"),
                 403, "permission_denied")  # fmt: skip
    unlocked = api_for(world.city_admin).post(f"{URL}{body['id']}/unlock/",
                                              {"reason": "时长有误"}, format="json")  # fmt: skip
    assert unlocked.json()["state"] == "returned"
    listed = officer.get(URL, {"month": "2024-03"}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert_error(officer.get(URL, {"month": "2024-13"}), 400, "invalid")


def test_bad_months_and_foreign_contracts(world, setting):  # noqa: F811
    staff = api_for(setting["staff"])
    future = staff.post(URL, {"contract": setting["contract"].pk, "month": "2999-01"},
                        format="json")  # fmt: skip
    assert "month" in assert_error(future, 400, "invalid")["fields"]
    garbled = staff.post(URL, {"contract": setting["contract"].pk, "month": "March"},
                         format="json")  # fmt: skip
    assert "month" in assert_error(garbled, 400, "invalid")["fields"]
    rival = api_for(setting["rival_staff"]).post(
        URL, {"contract": setting["contract"].pk, "month": "2024-03"}, format="json"
    )
    assert "contract" in assert_error(rival, 400, "invalid")["fields"]
    assert not MonthlySubmission.objects.exists()


def test_outsiders_see_no_month(world, setting, outsiders):  # noqa: F811
    body = open_march(setting)
    for path in ("", "submit/", "accept/", "return/", "unlock/"):
        method = "get" if not path else "post"
        outsiders.assert_api_hidden(f"{URL}{body['id']}/{path}", method=method,
                                    data={"reason": "x"})  # fmt: skip
    for membership in outsiders.members:
        listed = api_for(membership).get(URL)
        assert listed.status_code == 404 or listed.json()["results"] == []
    assert MonthlySubmission.objects.get().state == "draft"


def test_completeness_shape_and_scope(world, setting, outsiders):  # noqa: F811
    body = open_march(setting)
    api_for(setting["staff"]).post(f"{URL}{body['id']}/submit/")
    answer = api_for(world.city_admin).get(
        "/api/v1/supervision/completeness/", {"division": "4502", "start": "2024-01",
                                              "end": "2024-03"})  # fmt: skip
    result = answer.json()
    assert (result["expected"], result["submitted"], result["rate"]) == (3, 1, round(1 / 3, 4))
    assert [m["month"] for m in result["missing"]] == ["2024-01", "2024-02"]
    assert [child["name"] for child in result["children"]] == ["城中区"]
    bad = api_for(world.city_admin).get("/api/v1/supervision/completeness/",
                                        {"start": "2024-05", "end": "2024-03"})  # fmt: skip
    assert "end" in assert_error(bad, 400, "invalid")["fields"]
    outsiders.assert_api_hidden("/api/v1/supervision/completeness/",
                                members=[world.contractor, world.evaluator])  # fmt: skip
    other = api_for(world.other_county_officer).get("/api/v1/supervision/completeness/",
                                                   {"division": "450202"})  # fmt: skip
    assert_error(other, 404, "not_found")


SESSIONS = "/api/v1/supervision/sessions/"


def test_sessions_through_the_api_with_every_problem_at_once(world, setting):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = api_for(setting["staff"])
    good = {
        "contract": setting["contract"].pk,
        "station": setting["first"].pk,
        "supervisor": setting["supervisor"].pk,
        "started_at": "2024-03-05T09:00:00+08:00",
        "ended_at": "2024-03-05T17:00:00+08:00",
        "form": "on_site",
        "topics": "个案工作督导",
    }
    created = staff.post(SESSIONS, good, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["hours"] == "8.0" and created.json()["month"] == "2024-03"
    wrong = {"station": setting["elsewhere"].pk, "form": "chat",
             "ended_at": "2024-03-05T08:00:00+08:00"}  # fmt: skip
    bad = staff.post(SESSIONS, {**good, **wrong}, format="json")
    fields = assert_error(bad, 400, "invalid")["fields"]
    assert {"form", "ended_at"} <= set(fields)
    sheet = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")
    with_sheet = staff.post(SESSIONS, {**good, "started_at": "2024-03-06T09:00:00+08:00",
                                       "ended_at": "2024-03-06T12:00:00+08:00",
                                       "attachment": sheet}, format="multipart")  # fmt: skip
    assert with_sheet.status_code == 201, with_sheet.content
    assert len(with_sheet.json()["attachment_sha256"]) == 64
    listed = api_for(world.county_officer).get(SESSIONS, {"month": "2024-03"}).json()
    assert len(listed["results"]) == 2
    for membership in (world.other_county_officer, world.other_tenant_admin,
                       setting["rival_staff"], world.evaluator):  # fmt: skip
        response = api_for(membership).get(SESSIONS)
        assert response.status_code == 404 or response.json()["results"] == []
    rival = api_for(setting["rival_staff"]).post(SESSIONS, good, format="json")
    assert rival.status_code in (400, 403)
    # Submitted: a new session answers 409 and nothing is written.
    month = open_march(setting)
    staff.post(f"{URL}{month['id']}/submit/")
    later = {"started_at": "2024-03-07T09:00:00+08:00", "ended_at": "2024-03-07T12:00:00+08:00"}
    late = staff.post(SESSIONS, {**good, **later}, format="json")
    assert_error(late, 409, "conflict")
    first = created.json()["id"]
    assert_error(staff.delete(f"{SESSIONS}{first}/"), 409, "conflict")  # locked with the month
    api_for(world.county_officer).post(f"{URL}{month['id']}/return/", {"reason": "补签到表"},
                                       format="json")  # fmt: skip
    assert_error(api_for(world.county_officer).delete(f"{SESSIONS}{first}/"), 403,
                 "permission_denied")  # fmt: skip
    assert staff.delete(f"{SESSIONS}{first}/").status_code == 204  # returned: editable again
    assert staff.get(f"{SESSIONS}{first}/").status_code == 404


def test_outsiders_see_and_delete_no_session(world, setting, outsiders):  # noqa: F811
    from tests.supervision.test_sessions import session

    recorded = session(setting)
    url = f"{SESSIONS}{recorded.pk}/"
    assert api_for(world.county_officer).get(url).json()["id"] == recorded.pk
    outsiders.assert_api_hidden(url)
    outsiders.assert_api_hidden(url, method="delete")
    assert_error(api_for(setting["rival_staff"]).delete(url), 404, "not_found")
    from supervision.models import SupervisionSession

    assert SupervisionSession.objects.filter(pk=recorded.pk).exists()


def test_supervisor_assignments_through_the_api(world, setting, outsiders):  # noqa: F811
    url = "/api/v1/supervision/assignments/"
    staff = api_for(setting["staff"])
    body = {"supervisor": setting["supervisor"].pk, "contract": setting["contract"].pk,
            "station": setting["first"].pk, "started_on": "2024-02-01"}  # fmt: skip
    created = staff.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["ended_on"] == str(setting["contract"].live_until)
    wrong = staff.post(url, {**body, "station": setting["elsewhere"].pk,
                             "started_on": "2020-01-01"}, format="json")  # fmt: skip
    assert {"station", "started_on"} <= set(assert_error(wrong, 400, "invalid")["fields"])
    rival = api_for(setting["rival_staff"]).post(url, body, format="json")
    assert "contract" in assert_error(rival, 400, "invalid")["fields"]
    listed = api_for(world.county_officer).get(url, {"station": setting["first"].pk}).json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    assert_error(staff.get(url, {"station": "x"}), 400, "invalid")
    for membership in outsiders.members:
        response = api_for(membership).get(url)
        assert response.status_code == 404 or response.json()["results"] == []
