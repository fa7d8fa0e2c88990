"""The population page: figures with their sources, a city admin's form with every error at
once, Excel import and export through the kit, and scope."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from workforce.models import Population
from workforce.population import population_set
from workforce.sheets import POPULATION_SHEET

pytestmark = pytest.mark.django_db
URL = reverse("workforce:population")


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人口"
    sheet.append(POPULATION_SHEET.headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content):
    return client.post(
        reverse("workforce:population-import"),
        {"file": SimpleUploadedFile("人口.xlsx", content), "mode": "upsert"},
        follow=True,
    )


def test_the_city_admin_sets_a_figure_and_sees_every_error_at_once(world):
    client = world.client_for(world.city_admin)
    page = client.get(URL).content.decode()
    assert 'data-testid="population-form"' in page
    bad = client.post(URL, {"division": "4502", "year": "1900", "population": "0", "source": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    for field in ("year", "population", "source"):
        assert f'data-testid="error-{field}"' in text, field
    assert not Population.objects.exists()
    good = client.post(URL, {"division": "450202", "year": "2020", "population": "176000",
                             "source": "第七次全国人口普查"})  # fmt: skip
    assert good.status_code == 302
    row = Population.objects.get()
    assert (row.division_id, row.year, row.population) == ("450202000000", 2020, 176000)
    assert "第七次全国人口普查" in client.get(URL).content.decode()


def test_import_replaces_a_year_and_the_export_imports_again(world):
    population_set(actor=world.city_admin, division="4502", year=2020, population=4000000,
                   source="估算")  # fmt: skip
    client = world.client_for(world.city_admin)
    rows = [
        ["4502", "2020", 4157934, "第七次全国人口普查"],
        ["450202", "2020", 176000, "第七次全国人口普查"],
        ["4503", "2020", 100, "别的城市"],
        ["450202", "2020", 1, "重复"],
    ]
    page = upload(client, xlsx(rows)).content.decode()
    assert "不是本市或本市的县（市、区）" in page and "与第 3 行是同一条记录" in page
    response = upload(client, xlsx(rows[:2]))
    assert "4000000" in response.content.decode()  # old → new shown
    number = int(re.search(r"/imports/(\d+)/", response.redirect_chain[-1][0]).group(1))
    client.post(reverse("stations:import-commit", args=[number]))
    assert Population.objects.get(division_id="450200000000").population == 4157934
    exported = client.get(reverse("workforce:population-export"))
    content = exported.content
    rows_back = list(load_workbook(io.BytesIO(content))["人口"].iter_rows(values_only=True))
    assert rows_back[0] == tuple(POPULATION_SHEET.headers) and len(rows_back) == 3
    unchanged = re.sub(r"<[^>]+>|\s", "", upload(client, content).content.decode())
    assert "新增0修改0无变化2" in unchanged


def test_who_sees_and_who_sets(world, outsiders):
    population_set(actor=world.city_admin, division="450202", year=2020, population=176000,
                   source="第七次全国人口普查")  # fmt: skip
    officer = world.client_for(world.county_officer)
    page = officer.get(URL).content.decode()
    assert "176000" in page and 'data-testid="population-form"' not in page
    refused = officer.post(URL, {"division": "450202", "year": "2021", "population": "1",
                                 "source": "x"})  # fmt: skip
    assert refused.status_code in (403, 404)
    assert officer.get(reverse("workforce:population-import")).status_code == 404
    other = world.client_for(world.other_county_officer).get(URL).content.decode()
    assert "176000" not in other
    outsiders.assert_page_hidden(URL, members=[world.contractor, world.evaluator])
    for url in (reverse("workforce:population-import"), reverse("workforce:population-export")):
        outsiders.assert_page_hidden(url, members=[world.contractor, world.evaluator])
    foreign = world.client_for(world.other_tenant_admin).get(URL).content.decode()
    assert "176000" not in foreign
