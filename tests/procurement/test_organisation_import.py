"""Organisations through Excel with the kit: template, upload with every row's error, commit,
export that imports again keyed on the USCC, and scope."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from procurement.models import Organisation
from procurement.sheets import ORGANISATION_SHEET
from tests.factories import organisation

pytestmark = pytest.mark.django_db

HEADERS = ORGANISATION_SHEET.headers
GOOD = [
    {"统一社会信用代码": "52450202mj00001810", "机构名称": "柳州市城中区阳光社会工作服务中心",
     "机构类型": "社会服务机构", "业务范围含社会工作": "是", "联系电话": "0772 2812345",
     "孵化基地所在县（市、区）代码": "450202", "孵化日期": "2021-03-01"},
    {"统一社会信用代码": "52450202MJ000035XY", "机构名称": "柳州市同心社会工作服务社",
     "机构类型": "民办非企业单位"},
]  # fmt: skip


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "机构"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="机构.xlsx"):
    return client.post(
        reverse("procurement:organisation-import"),
        {"file": SimpleUploadedFile(name, content), "mode": "upsert"},
        follow=True,
    )


def confirm(client, response):
    number = int(re.search(r"/imports/(\d+)/", response.redirect_chain[-1][0]).group(1))
    return client.post(reverse("stations:import-commit", args=[number]))


def test_preview_then_commit_registers_every_row(world):
    client = world.client_for(world.county_officer)
    response = upload(client, xlsx(GOOD))
    assert "2 行全部通过检查" in response.content.decode()
    assert not Organisation.objects.exists()
    assert confirm(client, response)["Location"] == reverse("procurement:organisation-list")
    sunshine = Organisation.objects.get(uscc="52450202MJ00001810")
    assert sunshine.contact_phone == "0772-2812345" and sunshine.incubated_by_id == "450202000000"
    assert Organisation.objects.get(uscc="52450202MJ000035XY").kind == "social_service_agency"


def test_every_bad_row_is_named_and_nothing_is_written(world):
    rows = [
        *GOOD,
        {"统一社会信用代码": "362322198709086409", "机构名称": "身份证号"},  # an ID number
        {"统一社会信用代码": "52450202MJ00001810", "机构名称": "重复"},  # repeats row 2
        {"统一社会信用代码": "52450202MJ000035XY".replace("X", "O"), "机构名称": "字母O"},
        {"统一社会信用代码": "52450203MJ0000771F", "机构名称": ""},
        {"统一社会信用代码": "52450202MJ00004055", "机构名称": "电话与孵化基地有误",
         "联系电话": "abc", "孵化基地所在县（市、区）代码": "450302", "孵化日期": "2021-01-01"},
    ]  # fmt: skip
    client = world.client_for(world.county_officer)
    page = upload(client, xlsx(rows)).content.decode()
    for row, rule in (
        (4, "统一社会信用代码“362322198709086409”无效"),
        (5, "与第 2 行是同一条记录"),
        (6, "无效"),
        (7, "必填"),
    ):
        assert f"第 {row} 行" in page or f">{row}<" in page, row
        assert rule in page, rule
    assert "不是本市的县" in page and "电话“abc”无效" in page
    assert not Organisation.objects.exists()


def test_an_edited_export_updates_by_uscc_and_an_unchanged_one_changes_nothing(world):
    organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    client = world.client_for(world.city_admin)
    exported = client.get(reverse("procurement:organisation-export"))
    assert "4502-organisations-" in exported["Content-Disposition"]
    content = exported.content
    book = load_workbook(io.BytesIO(content))
    rows = list(book["机构"].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADERS) and rows[1][0] == "52450202MJ00001810"
    unchanged = upload(client, content).content.decode()
    assert "无变化" in unchanged
    sheet = book["机构"]
    sheet.cell(row=2, column=1).value = "52450202mj00001810"  # the key in lower case
    sheet.cell(row=2, column=HEADERS.index("地址") + 1).value = "柳州市城中路 1 号"
    buffer = io.BytesIO()
    book.save(buffer)
    changed = upload(client, buffer.getvalue())
    assert "柳州市城中路 1 号" in changed.content.decode()
    confirm(client, changed)
    assert Organisation.objects.get().address == "柳州市城中路 1 号"
    assert Organisation.objects.count() == 1


def test_the_template_and_who_may_import(world, outsiders):
    client = world.client_for(world.county_officer)
    template = client.get(reverse("procurement:organisation-import-template"))
    book = load_workbook(io.BytesIO(template.content))
    assert "机构" in book.sheetnames and "县级代码" in book.sheetnames
    codes = [row[0] for row in book["县级代码"].iter_rows(min_row=2, values_only=True)]
    assert "450202" in codes and "450206" in codes and not any(c.startswith("4503") for c in codes)
    viewer = world.client_for(world.city_viewer)
    assert viewer.get(reverse("procurement:organisation-import")).status_code == 404
    assert viewer.get(reverse("procurement:organisation-export")).status_code == 200
    for url in (
        reverse("procurement:organisation-import"),
        reverse("procurement:organisation-import-template"),
        reverse("procurement:organisation-export"),
    ):
        outsiders.assert_page_hidden(url, members=[world.contractor, world.evaluator])
    # Another city's admin exports its own (empty) register, never 柳州's.
    organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    other = world.client_for(world.other_tenant_admin).get(
        reverse("procurement:organisation-export")
    )
    assert "52450202MJ00001810" not in str(
        list(load_workbook(io.BytesIO(other.content))["机构"].iter_rows(values_only=True))
    )
