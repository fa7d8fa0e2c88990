"""Supervision pages: the contractor's portal and month (enter, copy, delete, submit), the
purchaser's queue and review, a city admin's unlock, completeness by county and month,
the month's Excel and the import; query ceilings; outsiders get 404."""

import datetime
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from supervision.models import MonthlySubmission, SupervisionSession
from tests.helpers import get, query_count
from tests.supervision.test_sessions import at, session, setting  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
MONTH = "/supervision/{pk}/2024-03/"
# The month page reads a fixed set whatever the number of sessions (asserted below):
# scope 6, the month's overview 9 (stations, sessions, submission, flags, policy), its
# sessions 2, the pickers and assignments 3, the history 4 (the sessions' and the
# submission's events, the names of the records they mention).
MONTH_PAGE = 26


def month_url(setting):  # noqa: F811
    return MONTH.format(pk=setting["contract"].pk)


def entry(setting, **changes):  # noqa: F811
    return {
        "action": "session",
        "facility": setting["first"].pk,
        "supervisor": setting["supervisor"].pk,
        "started_at": "2024-03-05T09:00",
        "ended_at": "2024-03-05T17:00",
        "form": "on_site",
        "topics": "个案工作督导",
        **changes,
    }


def test_the_contractor_enters_copies_deletes_and_submits_on_the_month_page(world, setting):  # noqa: F811
    client = world.client_for(setting["staff"])
    url = month_url(setting)
    page = get(client, url, ceiling=MONTH_PAGE)
    assert page.status_code == 200 and 'data-testid="session-form"' in page.content.decode()
    bad = client.post(url, entry(setting, ended_at="2024-03-05T08:00", form="", topics=""))
    text = bad.content.decode()
    assert bad.status_code == 400
    for field in ("ended_at", "form", "topics"):
        assert f'data-testid="error-{field}"' in text, field
    assert not SupervisionSession.objects.exists()
    saved = client.post(url, entry(setting))
    assert saved.status_code == 302
    recorded = SupervisionSession.objects.get()
    assert recorded.hours == 8 and recorded.created_by == setting["staff"].user
    copy = client.get(url, {"copy": recorded.pk}).content.decode()
    assert 'value="2024-03-05T09:00"' in copy and "个案工作督导" in copy
    client.post(url, entry(setting, started_at="2024-03-12T09:00", ended_at="2024-03-12T12:00"))
    assert SupervisionSession.objects.count() == 2
    client.post(url, {"action": "delete", "session": recorded.pk})
    assert SupervisionSession.objects.count() == 1
    # The page does not grow with the number of sessions.
    for day in range(13, 18):
        client.post(url, entry(setting, started_at=f"2024-03-{day}T09:00",
                               ended_at=f"2024-03-{day}T11:00"))  # fmt: skip
    assert SupervisionSession.objects.count() == 6
    assert query_count(lambda: client.get(url)) == query_count(lambda: client.get(url))
    assert get(client, url, ceiling=MONTH_PAGE).status_code == 200
    client.post(url, {"action": "submit"})
    assert MonthlySubmission.objects.get().state == "submitted"
    locked = client.post(url, entry(setting, started_at="2024-03-20T09:00",
                                    ended_at="2024-03-20T11:00"), follow=True)  # fmt: skip
    assert "已提交，不能再修改督导记录" in locked.content.decode()
    assert SupervisionSession.objects.count() == 6
    again = client.post(url, {"action": "submit"}, follow=True).content.decode()
    assert "已提交" in again


def test_the_purchaser_returns_with_a_reason_and_accepts_and_the_month_locks(world, setting):  # noqa: F811
    session(setting)
    staff = world.client_for(setting["staff"])
    officer = world.client_for(world.county_officer)
    url = month_url(setting)
    staff.post(url, {"action": "submit"})
    queue = get(officer, "/supervision/", ceiling=20).content.decode()
    assert 'data-testid="supervision-month"' in queue and setting["contract"].number in queue
    empty = officer.post(url, {"action": "return", "reason": ""})
    assert empty.status_code == 400 and 'data-testid="error-reason"' in empty.content.decode()
    officer.post(url, {"action": "return", "reason": "缺少签到表"})
    assert MonthlySubmission.objects.get().state == "returned"
    home = staff.get("/").content.decode()
    assert "缺少签到表" in home  # the contractor's home shows the return and its reason
    assert "缺少签到表" in staff.get(url).content.decode()
    staff.post(url, entry(setting, started_at="2024-03-08T09:00", ended_at="2024-03-08T12:00"))
    staff.post(url, {"action": "submit"})
    officer.post(url, {"action": "accept"})
    assert MonthlySubmission.objects.get().state == "accepted"
    for client in (staff, officer):
        text = client.get(url).content.decode()
        assert 'data-testid="locked"' in text and 'data-testid="session-form"' not in text
        assert 'data-testid="accept"' not in text and 'data-testid="delete"' not in text
    late = staff.post(url, entry(setting, started_at="2024-03-09T09:00",
                                 ended_at="2024-03-09T12:00"), follow=True)  # fmt: skip
    assert "不能再修改督导记录" in late.content.decode()
    conflict = officer.post(url, {"action": "return", "reason": "再看看"}, follow=True)
    assert "不能这样操作" in conflict.content.decode()
    assert SupervisionSession.objects.count() == 2
    assert MonthlySubmission.objects.get().state == "accepted"
    # Only a city admin unlocks, with a reason.
    assert 'data-testid="unlock"' not in officer.get(url).content.decode()
    admin = world.client_for(world.city_admin)
    assert 'data-testid="unlock"' in admin.get(url).content.decode()
    admin.post(url, {"action": "unlock", "reason": "时长录入有误"})
    assert MonthlySubmission.objects.get().state == "returned"


def test_the_portal_shows_this_month_and_the_last_with_countdown(world, setting):  # noqa: F811
    client = world.client_for(setting["staff"])
    text = get(client, "/supervision/", ceiling=20).content.decode()
    today = datetime.date.today()
    this = today.replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    assert f'data-month="{this:%Y-%m}"' in text and f'data-month="{last:%Y-%m}"' in text
    assert 'data-testid="countdown"' in text
    assert get(client, "/", ceiling=25).status_code == 200


def test_completeness_by_county_and_month(world, setting):  # noqa: F811
    session(setting)
    world.client_for(setting["staff"]).post(month_url(setting), {"action": "submit"})
    admin = world.client_for(world.city_admin)
    page = get(admin, "/supervision/completeness/?start=2024-01&end=2024-04", ceiling=20)
    text = page.content.decode()
    assert page.status_code == 200 and "城中区" in text
    assert "1/1" in text and "0/1" in text  # March submitted, January not
    assert 'data-testid="missing"' in text and "2024-01" in text
    bad = admin.get("/supervision/completeness/?start=2024-05&end=2024-03")
    assert bad.status_code == 400
    other = world.client_for(world.other_county_officer)
    assert other.get("/supervision/completeness/?division=450202").status_code == 404
    for membership in (world.contractor, world.evaluator):
        response = world.client_for(membership).get("/supervision/completeness/")
        assert response.status_code == 404


def test_the_months_excel_imports_again_unchanged_and_new_rows_are_previewed(world, setting):  # noqa: F811
    from stations.services.imports import import_commit, import_start

    session(setting)
    client = world.client_for(setting["staff"])
    response = client.get(f"{month_url(setting)}template/")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["督导记录"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["合同编号", "站点", "督导姓名"]
    first = [cell.value for cell in sheet[2]]
    assert first[0] == setting["contract"].number and first[4] == datetime.datetime(2024, 3, 5, 9)
    sheet.append([setting["contract"].number, setting["first"].name, "韦督导", None,
                  "2024-03-19 09:00", "2024-03-19 17:30", None, None, "线上",
                  "小组工作督导"])  # fmt: skip
    sheet.append([setting["contract"].number, setting["first"].name, "韦督导", None,
                  "2024-03-20 09:00", "2024-03-20 08:00", None, None, "线上", "x"])  # fmt: skip
    sheet.append(["OTHER-1", setting["first"].name, "韦督导", None,
                  "2024-03-21 09:00", "2024-03-21 10:00", None, None, "线上", "x"])  # fmt: skip
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    job = import_start(actor=setting["staff"], kind="supervision_sessions", file=buffer,
                       filename="督导.xlsx")  # fmt: skip
    job.refresh_from_db()
    found = {(error["row"], error["column"]) for error in job.errors}
    assert found == {(4, "结束时间"), (5, "合同编号")}
    assert SupervisionSession.objects.count() == 1  # a preview writes nothing
    sheet.delete_rows(4, 2)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    job = import_start(actor=setting["staff"], kind="supervision_sessions", file=buffer,
                       filename="督导.xlsx")  # fmt: skip
    job.refresh_from_db()
    assert job.errors == [] and job.counts.get("unchanged") == 1 and job.counts.get("new") == 1
    import_commit(actor=setting["staff"], job=job)
    added = SupervisionSession.objects.get(started_at=at(date(2024, 3, 19), 9))
    assert (added.hours, added.form, added.created_by) == (8.5, "online", setting["staff"].user)


def test_outsiders_see_no_supervision_page(world, setting, outsiders):  # noqa: F811
    session(setting)
    url = month_url(setting)
    outsiders.assert_page_hidden(url)
    outsiders.assert_page_hidden(f"{url}template/")
    outsiders.assert_page_hidden(url, method="post", data={"action": "submit"})
    rival = world.client_for(setting["rival_staff"])
    assert rival.get(url).status_code == 404
    assert rival.post(url, {"action": "submit"}).status_code == 404
    assert not MonthlySubmission.objects.exists()
    for membership in outsiders.members:
        text = world.client_for(membership).get("/supervision/").content.decode()
        assert 'data-testid="supervision-month"' not in text and month_url(setting) not in text
    # A month outside the contract or not begun is not a page.
    client = world.client_for(setting["staff"])
    for month in ("2023-12", "2999-01", "2024-13", "March"):
        assert client.get(month_url(setting).replace("2024-03", month)).status_code == 404
    assert client.get("/supervision/import/").status_code == 200
    for membership in (world.county_officer, world.evaluator):
        assert world.client_for(membership).get("/supervision/import/").status_code == 404


def test_supervisors_are_assigned_and_sign_in_sheets_opened_on_the_month_page(
    world,
    setting,  # noqa: F811
    outsiders,
):
    client = world.client_for(setting["staff"])
    url = month_url(setting)
    assign = {"action": "assign", "supervisor": setting["supervisor"].pk,
              "facility": setting["first"].pk}  # fmt: skip
    wrong = client.post(url, {**assign, "started_on": "2019-01-01"})
    assert wrong.status_code == 400 and "合同期" in wrong.content.decode()
    client.post(url, {"action": "assign", "supervisor": setting["supervisor"].pk,
                      "facility": setting["first"].pk, "started_on": "2024-02-01"})  # fmt: skip
    listed = client.get(url).content.decode()
    assert f"韦督导 → {setting['first'].name}" in listed
    sheet = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")
    saved = client.post(url, {**entry(setting), "attachment": sheet})
    assert saved.status_code == 302
    recorded = SupervisionSession.objects.get()
    attachment = f"/supervision/sessions/{recorded.pk}/attachment/"
    assert attachment in client.get(url).content.decode()
    opened = world.client_for(world.county_officer).get(attachment)
    assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"
    assert b"".join(opened.streaming_content).startswith(b"%PDF")
    outsiders.assert_page_hidden(attachment)
    assert world.client_for(setting["rival_staff"]).get(attachment).status_code == 404


def test_a_county_officer_sees_only_its_countys_part_of_a_city_contract(world, outsiders):
    from procurement.services import organisation_member_set
    from supervision.services import session_create
    from tests.factories import contract, member, organisation, station
    from tests.helpers import api_for
    from workforce.services import social_worker_create

    ours = station(world.county_officer, "450202001", date(2020, 6, 1))
    theirs = station(world.other_county_officer, "450206100", date(2020, 6, 1))
    runner = organisation(world.city_admin, "柳州市社会工作服务总社", 77)
    city = contract(world.city_admin, runner, [ours, theirs], number="CITY-1")
    assert city.county_code in (None, "")
    staff = member("city_runner", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=runner.uscc)
    supervisor = social_worker_create(actor=world.city_admin, name="蓝督导", employer=runner.pk,
                                      id_number="45020219850303002X")  # fmt: skip
    sheet = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 ours", content_type="application/pdf")
    recorded = {}
    # The same supervisor at both at once: the flag must not name the other county's station.
    for facility, day, attached in ((ours, 5, sheet), (theirs, 5, None)):
        recorded[facility.county_code] = session_create(
            actor=staff, contract=city, facility=facility, supervisor=supervisor,
            started_at=at(date(2024, 3, day), 9), ended_at=at(date(2024, 3, day), 17),
            form="on_site", topics="督导", attachment=attached)  # fmt: skip
    url = f"/supervision/{city.pk}/2024-03/"
    page = world.client_for(world.other_county_officer).get(url).content.decode()
    assert theirs.name in page and ours.name not in page
    assert "同一督导同时有另一条督导记录" in page
    assert 'data-testid="station-count">1<' in page
    workbook = load_workbook(BytesIO(world.client_for(world.other_county_officer)
                                     .get(f"{url}template/").content))  # fmt: skip
    cells = {cell.value for row in workbook["督导记录"].iter_rows() for cell in row}
    assert theirs.name in cells and ours.name not in cells
    attachment = f"/supervision/sessions/{recorded['450202'].pk}/attachment/"
    assert world.client_for(world.other_county_officer).get(attachment).status_code == 404
    assert world.client_for(world.county_officer).get(attachment).status_code == 200
    listed = api_for(world.other_county_officer).get("/api/v1/supervision/sessions/").json()
    assert [row["id"] for row in listed["results"]] == [recorded["450206"].pk]
    full = world.client_for(world.city_admin).get(url).content.decode()
    assert theirs.name in full and ours.name in full


def test_bad_ids_and_a_missing_deadline_policy_get_clear_answers(world, setting):  # noqa: F811
    from stations.models import PolicyValue

    recorded = session(setting)
    client = world.client_for(setting["staff"])
    url = month_url(setting)
    for value in ("abc", "1.5", "²", ""):
        assert client.post(url, {"action": "delete", "session": value}).status_code == 404
    assert client.post(url, {"action": "fly"}).status_code == 404
    assert client.get(url, {"copy": "²"}).status_code == 200
    assert SupervisionSession.objects.filter(pk=recorded.pk).exists()
    PolicyValue.objects.filter(code="submission_deadline_day").delete()
    answer = client.post(url, {"action": "submit"}, follow=True).content.decode()
    assert "submission_deadline_day" in answer and "政策参数" in answer
    assert not MonthlySubmission.objects.filter(state="submitted").exists()


def test_an_import_matches_full_width_names_and_keeps_midnight_sessions(world, setting):  # noqa: F811
    from procurement.models import Contract
    from stations.services.imports import import_start

    Contract.objects.filter(pk=setting["contract"].pk).update(number="柳城民购（2024）3号")
    setting["contract"].refresh_from_db()
    session(setting, started_at=at(date(2024, 3, 5), 0), ended_at=at(date(2024, 3, 5), 8))
    client = world.client_for(setting["staff"])
    workbook = load_workbook(BytesIO(client.get(f"{month_url(setting)}template/").content))
    sheet = workbook["督导记录"]
    assert sheet.cell(2, 5).value == "2024-03-05 00:00"  # text: a 00:00 cell reads as a date
    sheet.append(["柳城民购（2024）3号", setting["first"].name, "韦督导", None, "2024-03-06 00:00",
                  "2024-03-06 06:00", None, None, "线上", "小组工作督导"])  # fmt: skip
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    job = import_start(actor=setting["staff"], kind="supervision_sessions", file=buffer,
                       filename="督导.xlsx")  # fmt: skip
    job.refresh_from_db()
    assert job.errors == [] and job.counts.get("unchanged") == 1 and job.counts.get("new") == 1
