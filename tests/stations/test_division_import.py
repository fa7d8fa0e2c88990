"""Loading official divisions: shipped file, villages CSV, upsert, retirement, bad input."""

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from stations.division_import import (
    DivisionImportError,
    _Row,
    divisions_import,
    import_shipped,
    import_villages,
)
from stations.divisions import Level, TownshipKind
from stations.models import Division

pytestmark = pytest.mark.django_db

ALL_LEVELS = ("province", "city", "county", "township", "village")


def test_shipped_file_loads_the_whole_country_down_to_township_and_the_villages_of_4502():
    result = import_shipped()

    assert result.by_level[Level.PROVINCE] == 31
    assert result.by_level[Level.TOWNSHIP] == 41351
    assert Division.objects.filter(level=Level.TOWNSHIP).count() == 41351
    liuzhou_townships = Division.objects.filter(city_code="4502", level=Level.TOWNSHIP)
    assert liuzhou_townships.count() == 118
    assert Division.objects.filter(city_code="4502", level=Level.VILLAGE).count() == 1240
    assert Division.objects.filter(level=Level.VILLAGE).exclude(city_code="4502").count() == 0
    chengzhong = Division.objects.get(code="450202000000")
    assert (chengzhong.name, chengzhong.parent_id, chengzhong.level) == (
        "城中区",
        "450200000000",
        "county",
    )
    township = Division.objects.get(code="450202001000")
    assert township.township_kind == TownshipKind.SUBDISTRICT
    assert (township.province_code, township.city_code, township.county_code) == (
        "45",
        "4502",
        "450202",
    )
    assert Division.objects.filter(township_kind=TownshipKind.TOWNSHIP_LIKE).count() == 2710


def test_cities_without_counties_hang_their_townships_on_the_city():
    import_shipped(only="4419")
    dongguan = Division.objects.get(code="441900000000")
    assert dongguan.level == Level.CITY and dongguan.name == "东莞市"
    assert Division.objects.filter(parent=dongguan, level=Level.TOWNSHIP).count() > 20


def test_reimport_changes_nothing_and_writes_no_history():
    import_shipped(only="4502")
    events = Division.pgh_event_model.objects.count()

    again = import_shipped(only="4502")

    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert Division.pgh_event_model.objects.count() == events


def test_renames_are_updated_with_history_and_vanished_units_retired_not_deleted():
    import_shipped(only="450202")
    rows = [_Row(d.code, d.name) for d in Division.objects.filter(code__startswith="450202")]
    renamed = [row if row.code != "450202001000" else _Row(row.code, "新名街道") for row in rows]
    kept = [row for row in renamed if row.code != "450202002000"]

    result = divisions_import(
        kept,
        levels=ALL_LEVELS,
        only="450202",
        retire_villages_under=("450202",),
        retired_on=date(2024, 1, 1),
    )

    assert result.updated == 1
    assert Division.objects.get(code="450202001000").name == "新名街道"
    gone = Division.objects.get(code="450202002000")
    assert gone.retired_on == date(2024, 1, 1)

    assert [
        e.name
        for e in Division.pgh_event_model.objects.filter(pgh_obj_id="450202001000").order_by(
            "pgh_label"
        )
    ] == ["城中街道", "新名街道"]
    # Other counties were outside --only and stay untouched.
    assert (
        not Division.objects.filter(retired_on__isnull=False)
        .exclude(code__startswith="450202")
        .exists()
    )


def test_a_malformed_row_names_its_line_and_writes_nothing():
    rows = [_Row("450000000000", "广西壮族自治区"), _Row("4502000000", "柳州市")]
    with pytest.raises(DivisionImportError, match="第 3 行.*4502000000"):
        divisions_import(rows, levels=ALL_LEVELS)
    assert not Division.objects.exists()


def test_a_unit_whose_parent_is_unknown_is_refused_and_nothing_written():
    rows = [_Row("450000000000", "广西壮族自治区"), _Row("450202001000", "城中街道")]
    with pytest.raises(DivisionImportError, match="上级区划不存在"):
        divisions_import(rows, levels=ALL_LEVELS)
    assert not Division.objects.exists()


def write_villages(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"])
        for code, name in rows:
            writer.writerow([code, name, code[:9], code[:2], code[:4], code[:6]])


def test_villages_csv_loads_only_the_prefix_and_retires_vanished_villages_there(tmp_path):
    import_shipped(only="4503")  # townships of 桂林, no villages shipped
    townships = list(
        Division.objects.filter(city_code="4503", level=Level.TOWNSHIP).order_by("code")[:2]
    )
    source = tmp_path / "villages.csv"
    write_villages(
        source,
        [
            (townships[0].code[:9] + "001", "一村"),
            (townships[0].code[:9] + "002", "二村"),
            (townships[1].code[:9] + "001", "三村"),
            ("450202001001", "不在范围内的村"),
        ],
    )

    result = import_villages(source, only=townships[0].county_code)

    loaded = Division.objects.filter(level=Level.VILLAGE, city_code="4503")
    expected = 3 if townships[0].county_code == townships[1].county_code else 2
    assert loaded.count() == expected == result.created
    assert not Division.objects.filter(code="450202001001").exists()

    write_villages(source, [(townships[0].code[:9] + "001", "一村")])
    import_villages(source, only=townships[0].county_code)
    retired = Division.objects.get(code=townships[0].code[:9] + "002")
    assert retired.retired_on is not None


def test_villages_csv_without_code_column_is_refused(tmp_path):
    source = tmp_path / "villages.csv"
    source.write_text("id,title\n1,x\n", encoding="utf-8")
    with pytest.raises(DivisionImportError, match="缺少 code"):
        import_villages(source)


def test_command_prints_counts_and_time(capsys):
    call_command("import_divisions", "--only", "4502")
    out = capsys.readouterr().out
    assert "新增" in out and "time:" in out


def test_command_rejects_a_bad_prefix_and_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="区划代码"):
        call_command("import_divisions", "--only", "45x")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_divisions", "--villages", str(tmp_path / "none.csv"))
    assert not Division.objects.exists()


def test_a_code_repeated_with_another_name_or_an_overlong_name_is_refused_with_its_line():
    base = [_Row("450000000000", "广西壮族自治区"), _Row("450200000000", "柳州市")]
    with pytest.raises(DivisionImportError, match="第 4 行.*重复"):
        divisions_import([*base, _Row("450200000000", "别的市")], levels=ALL_LEVELS)
    with pytest.raises(DivisionImportError, match="第 4 行.*超过 100"):
        divisions_import([*base, _Row("450202000000", "长" * 101)], levels=ALL_LEVELS)
    with pytest.raises(DivisionImportError, match="第 4 行"):
        divisions_import([*base, _Row("450002000000", "断层代码")], levels=ALL_LEVELS)
    assert not Division.objects.exists()
    # A verbatim repeat is harmless.
    result = divisions_import([*base, _Row("450200000000", "柳州市")], levels=ALL_LEVELS)
    assert result.created == 2
