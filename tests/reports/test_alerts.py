"""Alerts (提醒): made each morning from the to-do list, once per item however often beat
runs, resolved when handled; the digest e-mail lists the user's own items; API and page
show each user only its own alerts."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reports.alerts import alerts_daily
from reports.models import Alert, AlertDigest
from supervision.services import submission_accept, submission_submit
from tests.helpers import api_for, assert_error
from tests.supervision.test_sessions import MARCH, session, setting  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def with_email(membership, address):
    membership.user.email = address
    membership.user.save(update_fields=["email"])
    return membership


def test_beat_twice_makes_one_alert_per_item_and_one_digest(world, setting):  # noqa: F811
    with_email(world.county_officer, "chengzhong@example.cn")
    with_email(world.other_county_officer, "liujiang@example.cn")
    session(setting)
    submitted = submission_submit(actor=setting["staff"], contract=setting["contract"], month=MARCH)
    today = timezone.localdate()
    first = alerts_daily(today=today)
    second = alerts_daily(today=today)
    assert first["alerts"] > 0 and second["alerts"] == 0 and second["digests"] == 0
    ours = Alert.objects.filter(membership=world.county_officer)
    keys = list(ours.values_list("source", "key"))
    assert len(keys) == len(set(keys))
    assert ours.filter(source="months_to_review").count() == 1
    assert AlertDigest.objects.filter(membership=world.county_officer, day=today).count() == 1
    # Each digest lists its reader's items only.
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"chengzhong@example.cn", "liujiang@example.cn"}
    digest = by_address["chengzhong@example.cn"].body
    assert setting["contract"].number in digest and setting["elsewhere"].name in digest
    other = by_address["liujiang@example.cn"].body
    assert setting["contract"].number not in other and setting["elsewhere"].name not in other
    # Handled: resolved on the next run, not deleted and not made again.
    before = Alert.objects.count()
    submission_accept(actor=world.county_officer, submission=submitted)
    alerts_daily(today=today)
    review = ours.get(source="months_to_review")
    assert review.resolved_at is not None and Alert.objects.count() == before
    schedule = settings.CELERY_BEAT_SCHEDULE["reports-daily-alerts"]["schedule"]
    assert (schedule.hour, schedule.minute) == ({8}, {0}) and settings.CELERY_TIMEZONE == (
        "Asia/Shanghai"
    )


def test_the_api_shows_and_marks_only_the_users_own_alerts(world, setting, outsiders):  # noqa: F811
    alerts_daily(today=timezone.localdate())
    officer = api_for(world.county_officer)
    listed = officer.get("/api/v1/alerts/", {"unread": "1"}).json()["results"]
    mine = Alert.objects.filter(membership=world.county_officer)
    assert {row["id"] for row in listed} == set(mine.values_list("pk", flat=True))
    alert = mine.first()
    read = officer.post(f"/api/v1/alerts/{alert.pk}/read/").json()
    assert read["read_at"] and read["kind"] == alert.source
    assert officer.get("/api/v1/alerts/", {"unread": "1"}).json()["count"] == len(listed) - 1
    for membership in outsiders.members:
        response = api_for(membership).post(f"/api/v1/alerts/{alert.pk}/read/")
        assert_error(response, 404, "not_found")
        ids = {row["id"] for row in api_for(membership).get("/api/v1/alerts/").json()["results"]}
        assert not ids & set(mine.values_list("pk", flat=True))


def test_the_page_badge_and_marking_read(world, setting, outsiders):  # noqa: F811
    alerts_daily(today=timezone.localdate())
    client = world.client_for(world.county_officer)
    unread = Alert.objects.filter(membership=world.county_officer, read_at=None).count()
    assert f">{unread}<" in client.get("/alerts/?badge=1").content.decode()
    page = client.get("/alerts/").content.decode()
    assert page.count('data-testid="alert"') == unread
    alert = Alert.objects.filter(membership=world.county_officer).first()
    for membership in outsiders.members:
        other = world.client_for(membership)
        assert other.post("/alerts/", {"alert": alert.pk}).status_code == 404
        assert alert.text not in other.get("/alerts/").content.decode()
    followed = client.post("/alerts/", {"alert": alert.pk, "go": "1"})
    assert followed.status_code == 302 and followed["Location"] == alert.url
    client.post("/alerts/", {"action": "read_all"})
    assert not Alert.objects.filter(membership=world.county_officer, read_at=None).exists()
    assert 'data-testid="alert-count"' not in client.get("/alerts/?badge=1").content.decode()
    assert client.post("/alerts/", {"alert": "abc"}).status_code == 404


class RefusingBackend:
    """A mail server that refuses one address (the others are delivered to the outbox)."""

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.delivered = EmailBackend()

    def send_messages(self, messages):
        if any("refused@" in address for message in messages for address in message.to):
            raise OSError("550 mailbox unavailable")
        return self.delivered.send_messages(messages)


def test_a_refused_mail_stops_nobody_else_and_is_tried_again(world, setting, settings):  # noqa: F811
    with_email(world.county_officer, "refused@example.cn")
    with_email(world.other_county_officer, "liujiang@example.cn")
    settings.EMAIL_BACKEND = "tests.reports.test_alerts.RefusingBackend"
    today = timezone.localdate()
    counts = alerts_daily(today=today)
    assert counts["digests"] == 1 and [m.to[0] for m in mail.outbox] == ["liujiang@example.cn"]
    assert not AlertDigest.objects.filter(membership=world.county_officer).exists()
    assert Alert.objects.filter(membership=world.county_officer).exists()  # refreshed all the same
    with_email(world.county_officer, "chengzhong@example.cn")
    assert alerts_daily(today=today)["digests"] == 1
    assert [m.to[0] for m in mail.outbox] == ["liujiang@example.cn", "chengzhong@example.cn"]
