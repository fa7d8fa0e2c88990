"""Unified social credit codes (GB 32100): what an organisation's code must be."""

import pytest
from django.core.exceptions import ValidationError

from procurement.uscc import uscc_normalize


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("52450202MJ00001810", "52450202MJ00001810"),  # 民政, 社会服务机构; check character 0
        ("52450202MJ000035XY", "52450202MJ000035XY"),
        ("52450202mj00001810", "52450202MJ00001810"),  # lower case accepted, kept upper
        (" 52450202 MJ0000 1810 ", "52450202MJ00001810"),
        ("91440300708461136T", "91440300708461136T"),  # an enterprise
    ],
)
def test_valid_codes_are_kept_in_upper_case(typed, stored):
    assert uscc_normalize(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "362322198709086409",  # a resident ID number: its check character happens to fit
        "52450202MJ0000181O",  # the letter O is not in the standard's alphabet
        "52450202MJ00001811",  # wrong check character
        "52450202MJ0000181",  # 17 characters
        "",
        "X2450202MJ00001810",  # no such registration authority
    ],
)
def test_anything_else_is_refused_in_chinese(typed):
    with pytest.raises(ValidationError, match="统一社会信用代码") as refused:
        uscc_normalize(typed)
    assert refused.value.code == "invalid_uscc"
