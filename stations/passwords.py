"""Password rules (MLPS level 3 basics) and temporary passwords for new accounts.

The rules plug into Django's AUTH_PASSWORD_VALIDATORS, so the password page,
the admin and ``add_member`` all apply them: at least 8 characters
(MinimumLengthValidator), three of the four kinds (upper case, lower case,
digit, symbol), and not containing the username.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = (
    (str.isupper, "upper"),
    (str.islower, "lower"),
    (str.isdigit, "digit"),
)


def character_kinds(password: str) -> int:
    """How many of upper case, lower case, digit and symbol ``password`` uses (0–4)."""
    used = {name for char in password for test, name in KINDS if test(char) and char.isascii()}
    if any(not char.isalnum() or not char.isascii() for char in password):
        used.add("symbol")
    return len(used)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, worded in the platform's language (Django's Chinese catalogue
    has no translation of its plural message)."""

    def get_error_message(self) -> str:
        return _("密码太短：至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CharacterKindsValidator:
    """At least ``min_kinds`` of: upper case, lower case, digit, symbol."""

    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        if character_kinds(password) < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 种。") % {
            "count": self.min_kinds
        }


class UsernameNotContainedValidator:
    """The password may not contain the username (in any letter case)."""

    def validate(self, password: str, user=None) -> None:
        username = (user.get_username() if user is not None else "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


def temporary_password(length: int = 14) -> str:
    """A random password meeting the rules, for a new account's first sign-in only.

    Letters that are easily confused when read aloud or copied (0/O, 1/l/I) are left out.
    """
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    symbols = "-_#@%+"
    while True:
        chars = [secrets.choice(alphabet + symbols) for _ in range(length)]
        if character_kinds("".join(chars)) == 4:
            return "".join(chars)
