"""The to-do list (本月待办): every app's sources for a county officer and a contractor,
items leaving the list once handled, the page and its fragment, scope."""

import datetime

import pytest
from django.utils import timezone

from reports.selectors import todos_of
from supervision.services import submission_accept, submission_return, submission_submit
from tests.helpers import get
from tests.supervision.test_sessions import MARCH, session, setting  # noqa: F401 - fixture
from workforce.credentials import credential_create, registration_create

pytestmark = pytest.mark.django_db
# The officer's list runs every rule of the county (reports.rules: 56 queries for 22 rules
# on the demo's 城中区, where every rule has data to read), the other sources (18) and the
# session, user and membership (3): 77 measured on the demo, whatever the number of records.
TODO_PAGE = 80


def keys(groups, source):
    return [item.key for group in groups if group.code == source for item in group.items]


@pytest.fixture
def expiring(world, setting):  # noqa: F811
    """The supervisor's registration, ending in about a month."""
    today = timezone.localdate()
    credential = credential_create(actor=world.county_officer, worker=setting["supervisor"],
                                   level="assistant", certificate_number="ZS2020-0001",
                                   exam_year=2020, passed_on=datetime.date(2020, 7, 1))  # fmt: skip
    registered = today.replace(year=today.year - 3) + datetime.timedelta(days=30)
    return registration_create(actor=world.county_officer, credential=credential,
                               registered_on=registered)  # fmt: skip


def test_a_county_officers_list_has_every_source_and_handled_items_leave(
    world,
    setting,  # noqa: F811
    expiring,
):
    today = timezone.localdate()
    session(setting)
    submitted = submission_submit(actor=setting["staff"], contract=setting["contract"], month=MARCH)
    groups = todos_of(world.county_officer, today)
    assert [group.code for group in groups] == [
        "uncovered_townships", "unrun_stations", "ending_contracts", "expiring_registrations",
        "registration_problems", "training_short", "months_to_review", "months_overdue",
        "failing_rules"]  # fmt: skip
    assert f"facility:{setting['elsewhere'].pk}" in keys(groups, "unrun_stations")
    assert keys(groups, "ending_contracts") == [f"contract:{setting['contract'].pk}:2026-12-31"]
    assert keys(groups, "expiring_registrations") == [f"registration:{expiring.pk}"]
    assert len(keys(groups, "months_to_review")) == 1
    overdue = keys(groups, "months_overdue")
    assert overdue and all(key.startswith(f"contract:{setting['contract'].pk}:") for key in overdue)
    assert keys(groups, "uncovered_townships") and keys(groups, "failing_rules")
    # Handled: the month is accepted, it leaves the list.
    submission_accept(actor=world.county_officer, submission=submitted)
    assert keys(todos_of(world.county_officer, today), "months_to_review") == []
    # Another county's officer sees nothing of 城中区.
    other = todos_of(world.other_county_officer, today)
    everything = [item.key for group in other for item in group.items]
    assert f"facility:{setting['elsewhere'].pk}" not in everything
    assert not [key for key in everything if key.startswith(f"contract:{setting['contract'].pk}")]
    assert f"registration:{expiring.pk}" not in everything


def test_a_contractors_list_has_its_returned_months_and_expiring_registrations(
    world,
    setting,  # noqa: F811
    expiring,
):
    today = timezone.localdate()
    session(setting)
    submitted = submission_submit(actor=setting["staff"], contract=setting["contract"], month=MARCH)
    submission_return(actor=world.county_officer, submission=submitted, reason="缺少签到表")
    groups = todos_of(setting["staff"], today)
    assert [group.code for group in groups] == ["expiring_registrations", "months_to_fix"]
    fixes = [item for group in groups if group.code == "months_to_fix" for item in group.items]
    assert any("缺少签到表" in item.text for item in fixes)
    assert keys(groups, "expiring_registrations") == [f"registration:{expiring.pk}"]
    rival = todos_of(setting["rival_staff"], today)
    assert all(not group.items for group in rival)
    assert [group.items for group in todos_of(world.evaluator, today)] == [[]]


def test_the_page_and_the_homes_fragment(world, setting):  # noqa: F811
    session(setting)
    submission_submit(actor=setting["staff"], contract=setting["contract"], month=MARCH)
    client = world.client_for(world.county_officer)
    home = client.get("/").content.decode()
    assert 'data-testid="todo-card"' in home and "/todo/?fragment=1" in home
    fragment = client.get("/todo/?fragment=1").content.decode()
    assert "<html" not in fragment and 'data-source="months_to_review"' in fragment
    page = get(client, "/todo/", ceiling=TODO_PAGE)
    assert page.status_code == 200 and "等待审核的月度督导" in page.content.decode()
    assert (
        'data-testid="todo-card"'
        not in world.client_for(world.city_admin).get("/").content.decode()
    )
    viewer = world.client_for(world.city_viewer).get("/todo/")  # a role without a list
    assert viewer.status_code == 200 and "没有待办事项" in viewer.content.decode()


def test_an_evaluators_list_has_its_evaluations_due_and_the_homes_carry_the_card(
    world,
    setting,  # noqa: F811
):
    from procurement.services import evaluation_assign, organisation_member_set
    from tests.factories import member, organisation

    assessor = organisation(world.county_officer, "柳州市明鉴社会服务评估中心", 501)
    evaluator = member("assessor_staff", "4502", "evaluator")
    organisation_member_set(membership=evaluator, uscc=assessor.uscc)
    assigned = evaluation_assign(actor=world.county_officer, contract=setting["contract"],
                                 organisation=assessor, period_start=datetime.date(2024, 1, 1),
                                 period_end=datetime.date(2024, 12, 31))  # fmt: skip
    groups = todos_of(evaluator, timezone.localdate())
    assert [group.code for group in groups] == ["evaluations_due"]
    assert keys(groups, "evaluations_due") == [f"evaluation:{assigned.pk}:assigned"]
    assert todos_of(world.evaluator, timezone.localdate())[0].items == []  # another evaluator
    for who in (evaluator, setting["staff"]):
        home = world.client_for(who).get("/").content.decode()
        assert 'data-testid="todo-card"' in home


def test_workers_short_of_training_or_registration_are_listed_until_handled(
    world,
    setting,  # noqa: F811
):
    from workforce.assignments import assignment_create
    from workforce.trainings import training_create

    today = timezone.localdate()
    worker = setting["supervisor"]
    credential_create(actor=world.county_officer, worker=worker, level="assistant",
                      certificate_number="ZS2020-0002", exam_year=2020,
                      passed_on=datetime.date(2020, 7, 1))  # fmt: skip
    assignment_create(actor=world.county_officer, worker=worker, role="stationed",
                      facility=setting["first"].pk, contract=setting["contract"].pk,
                      started_on=datetime.date(2024, 1, 1))  # fmt: skip
    groups = todos_of(world.county_officer, today)
    # Passed in 2020 and never registered; stationed with no training this year.
    problems = [i for g in groups if g.code == "registration_problems" for i in g.items]
    assert len(problems) == 1 and "未在" in problems[0].text and "韦督导" in problems[0].text
    assert "45020219850303002X" not in problems[0].text  # the ID number is masked
    short = [i for g in groups if g.code == "training_short" for i in g.items]
    if datetime.date(today.year, 1, 1) < today:  # on 1 January nothing is due yet
        assert len(short) == 1 and short[0].url == problems[0].url
        assert short[0].due == datetime.date(today.year, 12, 31)
    # Handled: registered and trained for the whole year's hours, both leave the list.
    registration_create(actor=world.county_officer, credential=worker.credentials.get(),
                        registered_on=datetime.date(2021, 3, 1))  # fmt: skip
    for day in {datetime.date(today.year, 1, 1), today}:  # 24 hours a day at most
        training_create(actor=world.county_officer, worker=worker, course="社会救助政策",
                        held_on=day, hours=24, form="offline")  # fmt: skip
    groups = todos_of(world.county_officer, today)
    assert keys(groups, "training_short") == []
    leftover = [i.text for g in groups if g.code == "registration_problems" for i in g.items]
    assert all("未在" not in text for text in leftover)
    # Another county's officer never sees the worker.
    other = todos_of(world.other_county_officer, today)
    assert not keys(other, "training_short") and not keys(other, "registration_problems")
