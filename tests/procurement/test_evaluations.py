"""Third-party evaluations: assigned by the purchaser (never to an organisation running
stations), submitted by the evaluator with its report, accepted or returned; 409 when a
review comes too late; each party sees only its own."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.models import Evaluation
from procurement.services import organisation_member_set
from tests.factories import contract, member, organisation, station
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    other = station(world.other_county_officer, "450206100", date(2021, 3, 1))
    runner = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    assessor = organisation(world.city_admin, "广西社会组织评估中心", 501)
    signed = contract(world.county_officer, runner, [first], number="CZ-1")
    theirs = contract(
        world.other_county_officer,
        organisation(world.city_admin, "柳江区星火社工", 77),
        [other],
        number="LJ-1",
    )
    evaluator = member("assessor_staff", "4502", "evaluator")
    organisation_member_set(membership=evaluator, uscc=assessor.uscc)
    contractor = member("runner_staff", "4502", "contractor")
    organisation_member_set(membership=contractor, uscc=runner.uscc)
    return {
        "first": first,
        "other": other,
        "runner": runner,
        "assessor": assessor,
        "contract": signed,
        "theirs": theirs,
        "evaluator": evaluator,
        "contractor": contractor,
    }


def assign(world, setting, **changes):
    body = {
        "organisation": setting["assessor"].pk,
        "contract": setting["contract"].pk,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        **changes,
    }
    return api_for(world.county_officer).post("/api/v1/evaluations/", body, format="json")


def pdf(name="报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def test_assign_submit_return_submit_accept(world, setting):
    created = assign(world, setting)
    assert created.status_code == 201, created.json()
    evaluation_id = created.json()["id"]
    assert created.json()["status"] == "assigned"
    evaluator = api_for(setting["evaluator"])
    url = f"/api/v1/evaluations/{evaluation_id}/"
    bad = evaluator.post(
        url + "submit/",
        {"evaluated_on": "2099-01-01", "score": "101", "grade": "great"},
        format="multipart",
    )
    fields = assert_error(bad, 400, "invalid")["fields"]
    assert {"evaluated_on", "score", "grade", "report"} <= set(fields)
    good = {"evaluated_on": "2025-02-10", "score": "86.5", "grade": "good", "findings": "服务规范"}
    submitted = evaluator.post(url + "submit/", {**good, "report": pdf()}, format="multipart")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["has_report"]
    officer = api_for(world.county_officer)
    returned = officer.post(url + "return/", {"reason": "请补充服务对象满意度"}, format="json")
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "请补充服务对象满意度"
    # The evaluator fixes and submits again; its earlier report is kept when none is sent.
    again = evaluator.post(url + "submit/", {**good, "score": "88"}, format="multipart")
    assert again.status_code == 200 and again.json()["score"] == "88.0"
    accepted = officer.post(url + "accept/", {}, format="json")
    assert accepted.json()["status"] == "accepted"
    # A second review after acceptance is a conflict and changes nothing.
    late = officer.post(url + "return/", {"reason": "迟到"}, format="json")
    assert_error(late, 409, "conflict")
    assert_error(officer.post(url + "accept/", {}, format="json"), 409, "conflict")
    resubmit = evaluator.post(url + "submit/", good, format="multipart")
    assert_error(resubmit, 409, "conflict")
    assert Evaluation.objects.get(pk=evaluation_id).status == "accepted"
    # The contractor now sees the accepted evaluation of its contract; the report too.
    contractor = api_for(setting["contractor"])
    assert contractor.get(url).status_code == 200
    assert contractor.get(url + "report/").status_code == 200


def test_an_organisation_running_stations_cannot_evaluate(world, setting):
    response = assign(world, setting, organisation=setting["theirs"].organisation_id)
    message = assert_error(response, 400, "invalid")["fields"]["organisation"][0]
    assert "LJ-1" in message and "二(三)3" in message
    own = assign(world, setting, organisation=setting["runner"].pk)
    assert "自己" in assert_error(own, 400, "invalid")["fields"]["organisation"][0]
    outside = assign(world, setting, period_start="2023-01-01", period_end="2023-12-31")
    assert "履行期" in assert_error(outside, 400, "invalid")["fields"]["period_start"][0]
    assert not Evaluation.objects.exists()


def test_only_the_purchaser_assigns_and_reviews(world, setting):
    refused = api_for(world.other_county_officer).post(
        "/api/v1/evaluations/",
        {
            "organisation": setting["assessor"].pk,
            "contract": setting["contract"].pk,
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
        },
        format="json",
    )
    assert refused.status_code == 400  # the contract is not theirs to see: no such contract
    created = assign(world, setting).json()
    evaluator = api_for(setting["evaluator"])
    evaluator.post(
        f"/api/v1/evaluations/{created['id']}/submit/",
        {"evaluated_on": "2025-02-10", "score": "70", "grade": "pass", "report": pdf()},
        format="multipart",
    )
    # The evaluator cannot accept its own work; the viewer cannot either.
    assert evaluator.post(f"/api/v1/evaluations/{created['id']}/accept/").status_code == 403
    viewer = api_for(world.city_viewer)
    assert viewer.post(f"/api/v1/evaluations/{created['id']}/accept/").status_code == 403


def test_each_party_sees_only_its_own_evaluations(world, setting, outsiders):
    created = assign(world, setting).json()
    url = f"/api/v1/evaluations/{created['id']}/"
    outsiders.assert_api_hidden(url)
    outsiders.assert_api_hidden(url + "report/")
    outsiders.assert_api_hidden(url + "accept/", method="post")
    # The contractor does not see an evaluation still in progress.
    assert api_for(setting["contractor"]).get(url).status_code == 404
    # The evaluator sees its assignment, the contract and its station, nothing else.
    evaluator = api_for(setting["evaluator"])
    assert evaluator.get(url).status_code == 200
    assert evaluator.get(f"/api/v1/contracts/{setting['contract'].pk}/").status_code == 200
    assert evaluator.get(f"/api/v1/contracts/{setting['theirs'].pk}/").status_code == 404
    assert evaluator.get(f"/api/v1/facilities/{setting['first'].pk}/").status_code == 200
    assert evaluator.get(f"/api/v1/facilities/{setting['other'].pk}/").status_code == 404
    listed = api_for(world.other_county_officer).get("/api/v1/evaluations/").json()
    assert listed["results"] == []
