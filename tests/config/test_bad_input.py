"""Inputs that used to answer 500: each is now a 400 with the usual error body."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from stations.models import Facility
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/facilities/?county=45%25", "county"),
        ("/api/v1/divisions/?parent=45%25", "parent"),
        ("/api/v1/coverage/timeline/?end=0001-06-01", "end"),
        ("/api/v1/coverage/?as_of=0001-06-01", "as_of"),
    ],
)
def test_malformed_query_parameters_are_400(world, url, field):
    body = assert_error(api_for(world.city_admin).get(url), 400, "invalid")
    assert field in body["fields"]


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/facilities/", "/api/v1/jobs/"])
def test_a_json_body_nested_5000_deep_is_400(world, url):
    deep = "[" * 5000 + "]" * 5000
    client = APIClient() if url.endswith("token/") else api_for(world.city_admin)
    response = client.post(url, deep, content_type="application/json")
    body = assert_error(response, 400, "parse_error")
    assert body["message"] == "JSON 嵌套层级过深。"


def xlsx_with_doctype() -> bytes:
    """A workbook whose sheet XML declares a DOCTYPE with an entity (XXE, billion laughs)."""
    workbook = Workbook()
    workbook.active.append(["层级", "所在区划代码"])
    workbook.active.append(["乡镇（街道）社会工作服务站", "450202001"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if text.startswith("<?xml"):
                    text = text[text.index("?>") + 2 :]
                data = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + text
                ).encode()
            target.writestr(item, data)
    return output.getvalue()


def test_an_xlsx_whose_sheet_carries_a_doctype_is_refused_with_a_message(world):
    client = world.client_for(world.county_officer)
    response = client.post(
        reverse("stations:facility-import"),
        {"file": SimpleUploadedFile("stations.xlsx", xlsx_with_doctype())},
    )
    assert response.status_code == 400
    assert "不允许的内容" in response.content.decode()
    assert not Facility.objects.exists()
