"""Account signals: a changed password revokes every API token of its user (MLPS: old
credentials die with it, and a temporary password stops being temporary); signing in
renews the session's idle clock and notes a temporary password to be changed.

Watches the user row itself, so a change through the password page, the
admin, ``set_password`` in a command or a reset all count.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=get_user_model())
def _remember_password(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        instance._password_changed = False
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = old is not None and old != instance.password


@receiver(post_save, sender=get_user_model())
def _revoke_tokens_on_password_change(sender, instance, created, **kwargs) -> None:
    if getattr(instance, "_password_changed", False):
        from knox.models import AuthToken

        from stations.models import PasswordChangeRequired

        AuthToken.objects.filter(user=instance).delete()
        PasswordChangeRequired.objects.filter(user=instance).delete()


@receiver(user_logged_in)
def _touch_session_on_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in renews the session (stations.middleware.SessionIdleMiddleware)."""
    import time

    from stations.middleware import MUST_CHANGE_KEY, TOUCHED_KEY
    from stations.models import PasswordChangeRequired

    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED_KEY] = int(time.time())
        if PasswordChangeRequired.objects.filter(user_id=user.pk).exists():
            request.session[MUST_CHANGE_KEY] = True
