"""Division codes: normalising short codes, levels, parents and township kinds."""

import pytest

from stations.divisions import (
    InvalidDivisionCode,
    Level,
    TownshipKind,
    level_of,
    normalize_code,
    parent_code,
    short_code,
    township_kind,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("45", "450000000000"),
        ("4502", "450200000000"),
        ("450202", "450202000000"),
        ("450202001", "450202001000"),
        ("450202001002", "450202001002"),
        (" 4502 ", "450200000000"),
        (4502, "450200000000"),
    ],
)
def test_short_and_full_codes_normalise_to_twelve_digits(given, expected):
    assert normalize_code(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "4",
        "450",
        "45020",
        "4502020",
        "45020200",
        "abcd",
        "４５０２",
        "4502-02",
        None,
        "4502020010000",
    ],
)
def test_malformed_codes_are_rejected_with_a_chinese_message(bad):
    with pytest.raises(InvalidDivisionCode) as raised:
        normalize_code(bad)
    assert "区划代码" in str(raised.value)


def test_level_and_parent_follow_the_code_segments():
    assert level_of("450000000000") == Level.PROVINCE
    assert level_of("450200000000") == Level.CITY
    assert level_of("450202000000") == Level.COUNTY
    assert level_of("450202001000") == Level.TOWNSHIP
    assert level_of("450202001002") == Level.VILLAGE
    assert parent_code("450202001002") == "450202001000"
    assert parent_code("450202001000") == "450202000000"
    assert parent_code("450202000000") == "450200000000"
    assert parent_code("450200000000") == "450000000000"
    assert parent_code("450000000000") is None
    assert short_code("450202001000") == "450202001"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("450202001000", TownshipKind.SUBDISTRICT),
        ("450202099000", TownshipKind.SUBDISTRICT),
        ("450222100000", TownshipKind.TOWN),
        ("450222199000", TownshipKind.TOWN),
        ("450222200000", TownshipKind.TOWNSHIP),
        ("450222399000", TownshipKind.TOWNSHIP),
        ("450222400000", TownshipKind.TOWNSHIP_LIKE),
        ("450222599000", TownshipKind.TOWNSHIP_LIKE),
        ("450222000000", None),
    ],
)
def test_township_kind_comes_from_the_code_range(code, kind):
    assert township_kind(code) == kind


@pytest.mark.parametrize(
    "gap", ["450002", "450202000001", "00", "000000000000", "4500020", "450000001"]
)
def test_codes_with_a_nonzero_segment_below_a_zero_one_are_rejected(gap):
    with pytest.raises(InvalidDivisionCode):
        normalize_code(gap)


def test_townships_of_cities_without_counties_are_well_formed():
    assert normalize_code("441900003") == "441900003000"
    assert level_of("441900003000") == Level.TOWNSHIP
    assert parent_code("441900003000") == "441900000000"
