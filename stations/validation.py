"""Checks every app's services share: dates in range, Chinese phone numbers, every error at once."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.fields import SkipField, empty

# The earliest date the platform records (the stations network began after it);
# a sanity bound on data entry, not a rule of the plan.
EARLIEST_DATE = datetime.date(2000, 1, 1)


class StateConflict(Exception):
    """A record is not in a state that allows this action (already accepted, changed by
    someone else meanwhile): the API answers 409 ``conflict``, a page shows the message."""


def date_problem(value: datetime.date | None, *, future: bool = False) -> str | None:
    """Why ``value`` is out of range (before EARLIEST_DATE, or after today unless ``future``)."""
    if value is None:
        return None
    if value < EARLIEST_DATE:
        return _("日期不能早于 %(date)s。") % {"date": EARLIEST_DATE.isoformat()}
    if not future and value > timezone.localdate():
        return _("日期不能晚于今天。")
    return None


def record_id(value: object) -> int | None:
    """A record id given as a number or ASCII digits (at most 18, a bigint), else None.

    Never raises: ``"²"``, ``"1e30"``, ``None`` or a 30-digit string are simply no id,
    which callers report as "does not exist" rather than failing.
    """
    if isinstance(value, bool):
        return None
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdecimal() or len(text) > 18:
        return None
    return int(text)


def pdf_problems(upload: Any, *, max_mb: int) -> list[str]:
    """Why ``upload`` (an uploaded file) is not an acceptable PDF: larger than ``max_mb``
    megabytes, not named .pdf, or not starting with the PDF signature ``%PDF-``.

    The platform keeps signed contracts and reports as received; it does not render
    them, so the signature check is enough to refuse a renamed spreadsheet or image.
    """
    problems = []
    size = getattr(upload, "size", 0) or 0
    if size > max_mb * 1024 * 1024:
        problems.append(
            _("文件大小 %(size).1f MB，超过上限 %(max)d MB。")
            % {"size": size / 1024 / 1024, "max": max_mb}
        )
        return problems
    name = str(getattr(upload, "name", "") or "")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if not name.lower().endswith(".pdf") or head != b"%PDF-":
        problems.append(_("“%(name)s”不是 PDF 文件，请上传 PDF。") % {"name": name})
    return problems


def sha256_of(upload: Any) -> str:
    """The SHA-256 of an uploaded file's content, as 64 hex digits (the file is rewound)."""
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def phone_mask(value: str) -> str:
    """A phone as lists and exports show it (personal information): ``138****8000``,
    ``0772-***0000``; the last four digits stay, the middle is hidden."""
    if not value:
        return ""
    if "-" in value:
        area, number = value.split("-", 1)
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]


def phone_normalize(value: str) -> str:
    """A Chinese phone number in its usual written form, or "" for a blank one.

    Accepts an 11-digit mobile (``13800138000``, spaces, dashes or +86 allowed)
    or a landline with its area code (``0772-2800000``, ``07722800000``).
    Returns ``13800138000`` or ``0772-2800000``. Raises ValidationError (code
    ``invalid_phone``) for anything else, a landline without its area code
    included. Validation by libphonenumber's metadata for CN.
    """
    text = (value or "").strip()
    if not text:
        return ""
    written = _phone_written(text)
    if written is None:
        raise ValidationError(
            _("电话“%(value)s”无效：请填写 11 位手机号，或带区号的固定电话，如 0772-2800000。")
            % {"value": text},
            code="invalid_phone",
        )
    return written


_BATCH_MEMO: ContextVar[dict | None] = ContextVar("batch_memo", default=None)


@contextmanager
def batch_memo() -> Iterator[None]:
    """Inside the block, ``memoised`` functions remember their answers (an import checks each
    ID number or phone in several passes); they are forgotten when it ends, so personal
    data never stays in a process-wide cache. Blocks may nest."""
    token = _BATCH_MEMO.set({}) if _BATCH_MEMO.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _BATCH_MEMO.reset(token)


def memoised(function: Callable[[str], Any]) -> Callable[[str], Any]:
    """``function`` of one text argument, remembered inside ``batch_memo`` blocks only."""

    @functools.wraps(function)
    def remembered(text: str) -> Any:
        memo = _BATCH_MEMO.get()
        if memo is None:
            return function(text)
        key = (function, text)
        if key not in memo:
            memo[key] = function(text)
        return memo[key]

    return remembered


@memoised
def _phone_written(text: str) -> str | None:
    """phone_normalize's answer for a stripped text, None when it is not a phone."""
    digits = re.sub(r"[^\d+]", "", text)
    digits = digits[3:] if digits.startswith("+86") else digits
    if digits[:1] not in ("0", "1"):  # a landline without its area code, or abroad
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-{national[area:]}"
    return national


def all_errors(
    parse_errors: Mapping[str, Any], check: Callable[[], object]
) -> dict[str, list[str]]:
    """Every problem of one submission at once: the fields that did not parse, plus the
    service check's errors on the other fields.

    ``check`` runs the service's checks on the values that did parse (inside a
    transaction that is rolled back, so it writes nothing); a ValidationError
    it raises adds its fields' messages, a PermissionDenied its message under
    ``__all__``. Returns {field: [message, …]}.
    """
    errors = {field: [str(m) for m in messages] for field, messages in parse_errors.items()}
    try:
        with transaction.atomic():
            check()
            transaction.set_rollback(True)
    except ValidationError as error:
        refused: dict = error.update_error_dict({})
        for field, items in refused.items():
            if field not in errors:
                errors[field] = [str(message) for item in items for message in item]
    except PermissionDenied as error:
        errors.setdefault("__all__", []).append(str(error))
    return errors


@contextmanager
def api_names(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise a service's ValidationError with its fields under the API's names
    (``{"start_on": "start"}``), for APIs whose field names differ from the model's."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): items for field, items in error.error_dict.items()}
        ) from error


def api_validated(serializer, check: Callable[[dict], object]) -> dict:
    """A DRF serializer's validated data, or a 400 naming every problem at once.

    When the serializer refuses some fields, the fields it accepts are parsed
    one by one and ``check(values)`` (the service's own check, writing
    nothing) adds its errors on them, so one call reports everything that is
    wrong. Raises rest_framework ValidationError ({field: [message, …]}).
    """
    if serializer.is_valid():
        return serializer.validated_data
    values = {}
    for name, field in serializer.fields.items():
        raw = field.get_value(serializer.initial_data)
        if name in serializer.errors or field.read_only or raw is empty:
            continue
        try:
            values[name] = field.run_validation(raw)
        except (exceptions.ValidationError, SkipField):
            continue
    errors = all_errors(serializer.errors, partial(check, values))
    if "__all__" in errors:  # named as DRF names it
        errors.setdefault("non_field_errors", []).extend(errors.pop("__all__"))
    raise exceptions.ValidationError(errors)


class BatchInvalid(Exception):
    """Items of a batch were refused; nothing was written.

    ``errors`` maps an item's index in the batch to its error: a
    ValidationError whose ``message_dict`` holds every field problem of that
    item at once, or PermissionDenied.
    """

    def __init__(self, errors: dict[int, ValidationError | PermissionDenied]):
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors
