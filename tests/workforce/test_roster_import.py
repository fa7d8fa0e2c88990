"""The social worker roster through Excel with the kit: template, upload with every row's
error (ID numbers masked), commit with credentials, an export with masked numbers that
imports again, a contractor's own roster, and scope."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from procurement.services import organisation_member_set
from stations.models import ImportJob
from tests.factories import organisation
from workforce.models import Credential, SocialWorker
from workforce.sheets import ROSTER_SHEET

pytestmark = pytest.mark.django_db

HEADERS = ROSTER_SHEET.headers
FULL = ("45020219850303002X", "450202199001010015", "450202198808080044")
GOOD = [
    {"姓名": "韦丽", "公民身份号码": "45020219850303002x", "联系电话": "138 0013 8000",
     "学历": "本科", "社会工作专业": "是", "专业领域": "养老服务、社会救助",
     "证书级别": "助理社会工作师", "证书编号": "A2021001", "考试年度": "2021",
     "取得证书日期": "2021-07-01"},
    {"姓名": "覃明", "公民身份号码": " 450202199001010015 ", "性别": "男", "状态": "在岗"},
    {"姓名": "蓝燕", "公民身份号码": "450202198808080044", "专业领域": "未成年人保护"},
]  # fmt: skip


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "社会工作者"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="社工名单.xlsx"):
    return client.post(
        reverse("workforce:worker-import"),
        {"file": SimpleUploadedFile(name, content), "mode": "upsert"},
        follow=True,
    )


def confirm(client, response):
    number = int(re.search(r"/imports/(\d+)/", response.redirect_chain[-1][0]).group(1))
    return client.post(reverse("stations:import-commit", args=[number]))


def no_full_number(text: str) -> None:
    for number in (*FULL, FULL[0].lower()):
        assert number not in text


def test_preview_then_commit_registers_every_row_with_its_credential(world):
    client = world.client_for(world.county_officer)
    response = upload(client, xlsx(GOOD))
    page = response.content.decode()
    assert "3 行全部通过检查" in page, page
    no_full_number(page)
    assert not SocialWorker.objects.exists()
    assert confirm(client, response)["Location"] == reverse("workforce:worker-list")
    wei = SocialWorker.objects.get(name="韦丽")
    assert wei.id_number == "45020219850303002X" and wei.id_number_masked == "450202********002X"
    assert (wei.gender, wei.registered_county, wei.phone) == ("female", "450202", "13800138000")
    assert wei.specialties == ["social_assistance", "elderly_care"]
    assert Credential.objects.get(worker=wei).certificate_number == "A2021001"
    assert SocialWorker.objects.get(name="覃明").gender == "male"
    assert SocialWorker.objects.get(name="蓝燕").status == "active"


def test_every_bad_row_is_named_masked_and_nothing_is_written(world):
    rows = [
        *GOOD,
        {"姓名": "校验错", "公民身份号码": "450202198503030021"},
        {"姓名": "十五位", "公民身份号码": "450202850303002"},
        {"姓名": "重复", "公民身份号码": "45020219850303002X"},
        {"姓名": "性别不符", "公民身份号码": "450202198001010037", "性别": "女"},
        {"姓名": "专业", "公民身份号码": "450202198101010034", "专业领域": "心理咨询"},
        {"姓名": "机构", "公民身份号码": "450202198201010031",
         "所在机构统一社会信用代码": "52450202MJ00004055"},
        {"姓名": "考试", "公民身份号码": "450202198301010039", "证书级别": "社会工作师",
         "证书编号": "B1", "考试年度": "2005", "取得证书日期": "2021-07-01"},
        {"姓名": "撤销区划", "公民身份号码": "371202198005120031"},  # 莱芜, abolished: accepted
    ]  # fmt: skip
    client = world.client_for(world.county_officer)
    page = upload(client, xlsx(rows)).content.decode()
    for row, rule in (
        (5, "校验码不正确"),
        (6, "18 位"),
        (7, "与第 2 行是同一条记录"),
        (8, "性别与公民身份号码不一致"),
        (9, "“心理咨询”不是专业领域"),
        (10, "52450202MJ00004055 的机构未在本市登记"),
        (11, "考试年度应在 2008"),
    ):
        assert rule in page, (row, rule)
    assert "450202********0021" in page  # the bad number, masked
    no_full_number(page)
    assert "450202198503030021" not in page and "371202198005120031" not in page
    job = ImportJob.objects.get()
    stored = str(job.errors) + str(job.plan)
    assert "450202198503030021" not in stored and "450202********0021" in stored
    assert not SocialWorker.objects.exists()
    errors = client.get(reverse("stations:import-errors", args=[job.pk]))
    book = load_workbook(io.BytesIO(errors.content))
    assert book.active.max_row == len(rows) + 1  # the user's own rows, to fix and upload


def test_an_export_masks_numbers_and_imports_again_by_mask_and_name(world):
    client = world.client_for(world.county_officer)
    confirm(client, upload(client, xlsx(GOOD)))
    exported = client.get(reverse("workforce:worker-export"))
    assert "4502-social-workers-" in exported["Content-Disposition"]
    book = load_workbook(io.BytesIO(exported.content))
    rows = list(book["社会工作者"].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADERS)
    text = str(rows)
    no_full_number(text)
    assert "450202********002X" in text and "138****8000" in text and "A2021001" in text
    unchanged = upload(client, exported.content).content.decode()
    counts = re.sub(r"<[^>]+>|\s", "", unchanged)
    assert "新增0修改0无变化3" in counts, counts
    sheet = book["社会工作者"]
    names = [row[0] for row in rows]
    sheet.cell(row=names.index("韦丽") + 1, column=HEADERS.index("备注") + 1).value = "驻站社工"
    buffer = io.BytesIO()
    book.save(buffer)
    changed = upload(client, buffer.getvalue())
    assert "驻站社工" in changed.content.decode()
    confirm(client, changed)
    assert SocialWorker.objects.get(name="韦丽").remarks == "驻站社工"
    assert SocialWorker.objects.count() == 3


def test_a_contractor_imports_its_own_roster(world):
    sunshine = organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    other = organisation(world.county_officer, "柳州市同心社会工作服务社", 35)
    organisation_member_set(membership=world.contractor, uscc=sunshine.uscc)
    world.contractor._organisation_id = sunshine.pk
    client = world.client_for(world.contractor)
    rows = [GOOD[0], {**GOOD[1], "所在机构统一社会信用代码": other.uscc}]
    page = upload(client, xlsx(rows)).content.decode()
    assert "承接机构只能登记本机构的社工" in page
    response = upload(client, xlsx([GOOD[0], GOOD[2]]))
    confirm(client, response)
    assert set(SocialWorker.objects.values_list("employer_id", flat=True)) == {sunshine.pk}
    listing = client.get(reverse("workforce:worker-list")).content.decode()
    assert "韦丽" in listing and "蓝燕" in listing


def test_the_template_and_who_may_import(world, outsiders):
    client = world.client_for(world.county_officer)
    organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    template = client.get(reverse("workforce:worker-import-template"))
    book = load_workbook(io.BytesIO(template.content))
    assert "社会工作者" in book.sheetnames and "机构" in book.sheetnames
    confirm(client, upload(client, xlsx(GOOD)))
    viewer = world.client_for(world.city_viewer)
    assert viewer.get(reverse("workforce:worker-import")).status_code == 404
    assert viewer.get(reverse("workforce:worker-export")).status_code == 200
    for url in (
        reverse("workforce:worker-import"),
        reverse("workforce:worker-import-template"),
    ):
        outsiders.assert_page_hidden(url, members=[world.evaluator, world.city_viewer])
    outsiders.assert_page_hidden(reverse("workforce:worker-export"), members=[world.evaluator])
    # Another county's officer and another city's admin export none of these workers.
    for membership in (world.other_county_officer, world.other_tenant_admin):
        other = world.client_for(membership).get(reverse("workforce:worker-export"))
        assert "韦丽" not in str(
            list(load_workbook(io.BytesIO(other.content))["社会工作者"].iter_rows(values_only=True))
        )


def test_an_id_number_excel_rounded_is_refused_not_guessed(world):
    # Typed into a number cell, 450202199011281234 is kept by Excel as 4.5020219901128E+17:
    # read back it would be 450202199011280000, a valid number of someone else.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "社会工作者"
    sheet.append(["姓名", "公民身份号码"])
    sheet.append(["韦丽", 450202199011281234])
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(world.client_for(world.county_officer), buffer.getvalue()).content.decode()
    assert "请把该列设为“文本”" in page
    assert not SocialWorker.objects.exists()


def test_credential_cells_for_a_known_certificate_are_checked_not_ignored(world):
    client = world.client_for(world.county_officer)
    confirm(client, upload(client, xlsx(GOOD)))
    # The same certificate with another exam year: said, not silently dropped.
    changed = upload(client, xlsx([{**GOOD[0], "考试年度": "2020"}])).content.decode()
    assert "该证书已登记，考试年度与登记的不同" in changed
    # Credential columns without the certificate number: a row error, not a failed job.
    headers = [h for h in HEADERS if h != "证书编号"]
    partial = upload(client, xlsx([{**GOOD[1], "证书级别": "社会工作师"}], headers=headers))
    text = partial.content.decode()
    assert "请填写证书编号" in text and "系统错误" not in text


def test_an_id_number_in_the_wrong_column_is_masked_too(world):
    row = {**GOOD[1], "联系电话": "45020219850303002X", "备注": "身份证 450202199001010015"}
    client = world.client_for(world.county_officer)
    page = upload(client, xlsx([row])).content.decode()
    assert "电话" in page and "无效" in page
    no_full_number(page)
    job = ImportJob.objects.get()
    no_full_number(str(job.errors) + str(job.plan))
