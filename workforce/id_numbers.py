"""Resident ID numbers (公民身份号码, GB 11643-1999): checked, masked, hashed for lookup.

python-stdnum gives the check digit and the birth date. The region part is not
checked against a table of divisions: codes are abolished over time (371202 in
2019) and a person keeps their number. The number is personal information
(PIPL): stored encrypted, found through a keyed hash, shown masked.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric

from stations.validation import memoised


@memoised
def _checked(raw: str) -> tuple[str, str]:
    """(the compacted number, what is wrong with it or ""), remembered inside a
    ``batch_memo`` block only (an import checks each number in several passes)."""
    text = ric.compact(raw)
    return text, _problem(text)


def _problem(text: str) -> str:
    digits = text.isascii() and text[:17].isdigit()  # no ² or other Unicode digits
    if len(text) == 15 and text.isascii() and text.isdigit():
        return "fifteen"
    if len(text) != 18 or not digits or not (text[17].isdigit() or text[17] == "X"):
        return "shape"
    try:
        ric.get_birth_date(text)
    except Exception:  # stdnum's InvalidComponent: no such day
        return "birth"
    if ric.calc_check_digit(text) != text[17]:
        return "check"
    return ""


def id_number_normalize(value: object) -> str:
    """The number in its stored form: 18 characters, spaces trimmed, a final ``x`` as ``X``.

    Raises ValidationError (code ``invalid_id_number``) for 15 digits (asking for the
    18-digit number), another length, a character that is not a digit, an impossible
    birth date, or a wrong check digit. The message never repeats the number in full.
    """
    text, problem = _checked(str(value or ""))
    if not problem:
        return text
    masked = id_number_mask(text) if len(text) >= 10 else _("（已隐去）")
    messages = {
        "fifteen": _("这是 15 位的旧身份证号码，请填写 18 位公民身份号码。"),
        "shape": _("公民身份号码应为 18 位：前 17 位为数字，末位为数字或 X。"),
        "birth": _("公民身份号码 %(number)s 中的出生日期不存在。") % {"number": masked},
        "check": _("公民身份号码 %(number)s 的校验码不正确，请核对。") % {"number": masked},
    }
    raise ValidationError(messages[problem], code="invalid_id_number")


def id_number_birth_date(number: str) -> datetime.date:
    """The date of birth written in a normalized number (characters 7–14)."""
    return ric.get_birth_date(number)


def id_number_gender(number: str) -> str:
    """``male`` or ``female``: the 17th digit is odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def id_number_mask(number: str) -> str:
    """``450202********002X``: the region and the last four characters, never the birth date."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def id_number_hash(number: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) that finds a normalized number without decrypting
    it; keyed with ID_NUMBER_HASH_KEY, else SECRET_KEY."""
    key = (settings.ID_NUMBER_HASH_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
