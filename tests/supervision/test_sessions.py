"""Supervision sessions and monthly submissions: what may be entered, every state
transition, each 409, and two reviewers acting at once."""

import datetime
import threading
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from procurement.services import organisation_member_set
from stations.validation import StateConflict
from supervision.models import MonthlySubmission, SupervisionSession
from supervision.services import (
    session_create,
    submission_accept,
    submission_return,
    submission_submit,
    submission_unlock,
    supervisor_assign,
)
from tests.factories import contract, member, organisation, station
from workforce.assignments import assignment_create
from workforce.services import social_worker_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = date(2024, 3, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def setting(world):
    officer = world.county_officer
    first = station(officer, "450202001", date(2020, 6, 1))
    late = station(officer, "450202002", date(2024, 7, 1))  # opens in July 2024
    elsewhere = station(officer, "450202003", date(2021, 3, 1))
    runner = organisation(officer, "柳州市城中区阳光社会工作服务中心", 18)
    rival = organisation(officer, "柳州市同心社会工作服务社", 35)
    signed = contract(officer, runner, [first, late], number="A")
    staff = member("runner_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=runner.uscc)
    rival_staff = member("rival_staff", "4502", "contractor")
    organisation_member_set(membership=rival_staff, uscc=rival.uscc)
    supervisor = social_worker_create(actor=officer, name="韦督导", employer=runner.pk,
                                      id_number="45020219850303002X")  # fmt: skip
    return {"first": first, "late": late, "elsewhere": elsewhere, "contract": signed,
            "staff": staff, "rival_staff": rival_staff, "supervisor": supervisor}  # fmt: skip


def session(setting, **changes):
    values = {
        "contract": setting["contract"],
        "facility": setting["first"],
        "supervisor": setting["supervisor"],
        "started_at": at(date(2024, 3, 5), 9),
        "ended_at": at(date(2024, 3, 6), 17),
        "form": "on_site",
        "topics": "个案工作督导",
        **changes,
    }
    return session_create(actor=setting["staff"], **values)


@pytest.mark.django_db
class TestSessions:
    def test_hours_default_to_the_duration_and_may_only_be_lowered_with_a_note(
        self, world, setting
    ):
        recorded = session(setting)
        assert recorded.hours == Decimal("32.0") and recorded.month == MARCH
        with pytest.raises(ValidationError) as error:
            session(setting, started_at=at(date(2024, 3, 12), 9),
                    ended_at=at(date(2024, 3, 12), 17), hours="6")  # fmt: skip
        assert "hours_note" in error.value.message_dict
        lowered = session(setting, started_at=at(date(2024, 3, 12), 9),
                          ended_at=at(date(2024, 3, 12), 17), hours="6",
                          hours_note="午休两小时")  # fmt: skip
        assert lowered.hours == Decimal("6.0")
        with pytest.raises(ValidationError) as error:
            session(setting, started_at=at(date(2024, 3, 13), 9),
                    ended_at=at(date(2024, 3, 13), 17), hours="9")  # fmt: skip
        assert "超过开始至结束的 8.0 小时" in str(error.value)

    def test_impossible_sessions_are_refused_with_every_problem_and_nothing_written(
        self, world, setting
    ):
        cases = {
            "ends before it starts": {"ended_at": at(date(2024, 3, 5), 8)},
            "spans two months": {"ended_at": at(date(2024, 4, 1), 10)},
            "station not yet open": {"facility": setting["late"]},
            "outside the contract": {"started_at": at(date(2023, 12, 5), 9),
                                     "ended_at": at(date(2023, 12, 5), 17)},
            "station not covered": {"facility": setting["elsewhere"]},
        }  # fmt: skip
        expected = {
            "ends before it starts": "结束时间应晚于开始时间",
            "spans two months": "不能跨月",
            "station not yet open": "没有运营",
            "outside the contract": "合同期",
            "station not covered": "不覆盖",
        }
        for name, changes in cases.items():
            with pytest.raises(ValidationError) as error:
                session(setting, **changes)
            assert expected[name] in str(error.value), name
        # 20 hours on the 20th, then 10 more the same day: 30 hours in one day.
        session(setting, started_at=at(date(2024, 3, 20), 0), ended_at=at(date(2024, 3, 20), 20))
        with pytest.raises(ValidationError) as error:
            session(setting, started_at=at(date(2024, 3, 20), 0, 30),
                    ended_at=at(date(2024, 3, 20), 10, 30))  # fmt: skip
        assert "超过一天 24 小时" in str(error.value)
        with pytest.raises(ValidationError) as error:
            session(setting, topics="", form="chat", ended_at=at(date(2024, 3, 5), 8))
        assert {"topics", "form", "ended_at"} <= set(error.value.message_dict)
        assert SupervisionSession.objects.count() == 1

    def test_participants_are_the_stations_own_workers_during_the_session(self, world, setting):
        runner = setting["contract"].organisation_id
        posted = social_worker_create(actor=world.county_officer, name="覃驻站", employer=runner,
                                      id_number="450202199001010015")  # fmt: skip
        away = social_worker_create(actor=world.county_officer, name="黄别站", employer=runner,
                                    id_number="450202199202020025")  # fmt: skip
        assignment_create(actor=world.county_officer, worker=posted, facility=setting["first"].pk,
                          role="stationed", contract=None, started_on=date(2024, 1, 1))  # fmt: skip
        assignment_create(actor=world.county_officer, worker=away, facility=setting["first"].pk,
                          role="stationed", contract=None, started_on=date(2024, 4, 1))  # fmt: skip
        with pytest.raises(ValidationError) as error:
            session(setting, participants=[posted, away])
        assert "黄别站 不是" in str(error.value) and "覃驻站" not in str(error.value)
        assert not SupervisionSession.objects.exists()  # refused: nothing written
        recorded = session(setting, participants=[posted])
        assert list(recorded.participants.all()) == [posted]

    def test_only_the_contractor_enters_sessions(self, world, setting):
        for who in (setting["rival_staff"], world.county_officer, world.city_admin):
            with pytest.raises(PermissionDenied):
                session_create(actor=who, contract=setting["contract"], facility=setting["first"],
                               supervisor=setting["supervisor"], started_at=at(MARCH, 9),
                               ended_at=at(MARCH, 17), form="online", topics="x")  # fmt: skip
        assert not SupervisionSession.objects.exists()

    def test_a_supervisor_is_assigned_inside_the_contract(self, world, setting):
        assigned = supervisor_assign(actor=setting["staff"], supervisor=setting["supervisor"],
                                     contract=setting["contract"], facility=setting["first"],
                                     started_on=date(2024, 2, 1))  # fmt: skip
        assert assigned.ended_on == setting["contract"].live_until
        with pytest.raises(ValidationError) as error:
            supervisor_assign(actor=setting["staff"], supervisor=setting["supervisor"],
                              contract=setting["contract"], facility=setting["elsewhere"],
                              started_on=date(2023, 2, 1))  # fmt: skip
        assert {"facility", "started_on"} <= set(error.value.message_dict)


@pytest.mark.django_db
class TestSubmissions:
    def test_submit_return_fix_resubmit_accept_and_the_month_is_locked(self, world, setting):
        staff, officer = setting["staff"], world.county_officer
        session(setting)
        submitted = submission_submit(actor=staff, contract=setting["contract"], month=MARCH)
        assert submitted.state == "submitted" and submitted.deadline == date(2024, 4, 10)
        assert submitted.on_time is False  # submitted now, long after 2024-04-10
        with pytest.raises(StateConflict):  # submitted: no more sessions
            session(setting, started_at=at(date(2024, 3, 8), 9), ended_at=at(date(2024, 3, 8), 12))
        with pytest.raises(StateConflict):  # a second submission of the month
            submission_submit(actor=staff, contract=setting["contract"], month=MARCH)
        with pytest.raises(ValidationError):
            submission_return(actor=officer, submission=submitted, reason="")
        returned = submission_return(actor=officer, submission=submitted, reason="缺少签到表")
        assert (returned.state, returned.reason) == ("returned", "缺少签到表")
        session(setting, started_at=at(date(2024, 3, 8), 9), ended_at=at(date(2024, 3, 8), 12))
        again = submission_submit(actor=staff, contract=setting["contract"], month=MARCH)
        assert again.first_submitted_at == submitted.first_submitted_at
        accepted = submission_accept(actor=officer, submission=again)
        assert accepted.state == "accepted"
        for write in (
            lambda: session(setting, started_at=at(date(2024, 3, 9), 9),
                            ended_at=at(date(2024, 3, 9), 12)),
            lambda: submission_submit(actor=staff, contract=setting["contract"], month=MARCH),
            lambda: submission_return(actor=officer, submission=accepted, reason="再看看"),
            lambda: submission_accept(actor=officer, submission=accepted),
        ):  # fmt: skip
            with pytest.raises(StateConflict):
                write()
        assert SupervisionSession.objects.count() == 2
        assert MonthlySubmission.objects.get().state == "accepted"

    def test_only_a_city_admin_unlocks_with_a_reason(self, world, setting):
        session(setting)
        submitted = submission_submit(actor=setting["staff"], contract=setting["contract"],
                                      month=MARCH)  # fmt: skip
        accepted = submission_accept(actor=world.county_officer, submission=submitted)
        with pytest.raises(PermissionDenied):
            submission_unlock(actor=world.county_officer, submission=accepted, reason="更正")
        with pytest.raises(ValidationError):
            submission_unlock(actor=world.city_admin, submission=accepted, reason=" ")
        unlocked = submission_unlock(actor=world.city_admin, submission=accepted,
                                     reason="督导时长录入错误，退回更正")  # fmt: skip
        assert unlocked.state == "returned"
        event = unlocked.events.order_by("pgh_id").last()
        assert event.pgh_context.metadata["reason"] == "督导时长录入错误，退回更正"
        with pytest.raises(StateConflict):
            submission_unlock(actor=world.city_admin, submission=unlocked, reason="再解锁")

    def test_who_may_submit_and_review(self, world, setting):
        session(setting)
        with pytest.raises(PermissionDenied):
            submission_submit(actor=setting["rival_staff"], contract=setting["contract"],
                              month=MARCH)  # fmt: skip
        with pytest.raises(ValidationError):  # a month before the contract
            submission_submit(actor=setting["staff"], contract=setting["contract"],
                              month=date(2023, 12, 1))  # fmt: skip
        submitted = submission_submit(actor=setting["staff"], contract=setting["contract"],
                                      month=MARCH)  # fmt: skip
        for who in (world.other_county_officer, setting["staff"], world.city_viewer):
            with pytest.raises(PermissionDenied):
                submission_accept(actor=who, submission=submitted)
        assert MonthlySubmission.objects.get().state == "submitted"


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_wins(world, setting):
    session(setting)
    submitted = submission_submit(actor=setting["staff"], contract=setting["contract"],
                                  month=MARCH)  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review(action):
        try:
            barrier.wait()
            action()
            outcomes.append("won")
        except StateConflict:
            outcomes.append("409")
        finally:
            connection.close()  # each thread has its own database connection

    threads = [
        threading.Thread(target=review, args=(lambda: submission_accept(
            actor=world.county_officer, submission=submitted),)),
        threading.Thread(target=review, args=(lambda: submission_return(
            actor=world.city_admin, submission=submitted, reason="材料不全"),)),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409", "won"]
    assert MonthlySubmission.objects.get().state in ("accepted", "returned")
