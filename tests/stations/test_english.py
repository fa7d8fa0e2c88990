"""English pages: nothing of the interface left in Chinese (data, such as names, stays)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from procurement.models import Contract, Evaluation, Organisation
from procurement.services import evaluation_assign
from stations.models import Division, Facility, Tenant
from stations.services import facilities as facility_services
from tests.factories import contract, organisation, station
from workforce.credentials import credential_create, registration_create
from workforce.models import SocialWorker
from workforce.services import social_worker_create

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


# Chinese by nature, in any language: the official signboard format of a station's name,
# the headers and accepted values of the Chinese spreadsheet template, and the plan's clause
# references with the contract clauses it names (policy values).
NOT_INTERFACE = [
    "民发〔2009〕44号",  # the national rules' document numbers, cited as issued
    "民发〔2009〕123号",
    "××县（市、区）××乡镇（街道）社会工作服务站",
    "2023年1月1日",
    "是/否",
    "√/×",
    "所在区划代码",
    "层级",
    "站点",
    "社会工作者",  # the roster template's sheet name and key column
    "公民身份号码",
    "督导记录",  # the sessions template's sheet name and key columns
    "合同编号",
    "开始时间",
    "服务人员安排、服务具体内容、服务目标、资金管理、督导培训、评估要求",
    # The same clauses one by one (policy contract_required_clauses: the city's own words).
    "服务人员安排",
    "服务具体内容",
    "服务目标",
    "资金管理",
    "督导培训",
    "评估要求",
]


def interface_chinese(html: str) -> set[str]:
    """Runs of Chinese characters or full-width punctuation outside the data on the page."""
    from stations.policy import CATALOGUE
    from stations.registry import rules

    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    data = sorted(
        {
            *Division.objects.filter(code__startswith="4502").values_list("name", flat=True),
            *Facility.objects.values_list("name", flat=True),
            *Facility.objects.values_list("closure_reason", flat=True),
            *Tenant.objects.values_list("name", flat=True),
            *Organisation.objects.values_list("name", flat=True),
            *Contract.objects.values_list("title", flat=True),
            *SocialWorker.objects.values_list("name", flat=True),
            "简体中文",  # the language menu names each language in itself
            *NOT_INTERFACE,
            *(definition.clause for definition in CATALOGUE if definition.clause != "平台默认"),
            *(rule.clause for rule in rules()),
        },
        key=len,
        reverse=True,
    )
    for value in data:
        if value:
            text = text.replace(value, " ")
    return set(CHINESE.findall(text))


@pytest.fixture
def english(world):
    facility = station(world.county_officer, "450202001", date(2021, 4, 1))
    facility_services.facility_rate(
        actor=world.county_officer, facility=facility, stars=3, rated_on=date(2022, 1, 1)
    )
    runner = organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    signed = contract(world.county_officer, runner, [facility], number="CZ-1", title="城中区项目")
    assessor = organisation(world.county_officer, "柳州市明鉴社会服务评估中心", 501)
    evaluation_assign(
        actor=world.county_officer,
        contract=signed,
        organisation=assessor,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    worker = social_worker_create(
        actor=world.county_officer, name="李敏", id_number="45020219850303002X", employer=runner
    )
    credential = credential_create(
        actor=world.county_officer,
        worker=worker,
        level="assistant",
        certificate_number="ZS2020-0001",
        exam_year=2020,
        passed_on=date(2020, 7, 1),
    )
    registration_create(
        actor=world.county_officer, credential=credential, registered_on=date(2024, 9, 1)
    )
    client = world.client_for(world.county_officer)
    client.cookies["django_language"] = "en"
    return client, facility


def test_the_officers_pages_have_no_chinese_interface_left(world, english):
    client, facility = english
    pages = [
        reverse("reports:home"),
        reverse("reports:home") + "?as_of=2021-12-31",
        reverse("stations:facility-list"),
        reverse("stations:facility-detail", args=[facility.pk]),
        reverse("stations:facility-create"),
        reverse("stations:facility-edit", args=[facility.pk]),
        reverse("stations:facility-import"),
        reverse("stations:division-detail", args=["450202"]),
        reverse("stations:division-detail", args=["450202001"]),
        reverse("reports:job-list"),
        reverse("reports:compliance"),
        reverse("stations:policy"),
        reverse("password_change"),
        reverse("procurement:organisation-list"),
        reverse("procurement:organisation-create"),
        reverse("procurement:organisation-detail", args=[Organisation.objects.first().pk]),
        reverse("procurement:contract-list"),
        reverse("procurement:assistance-funds"),
        reverse("procurement:contract-create"),
        reverse("procurement:contract-detail", args=[Contract.objects.get().pk]),
        reverse("procurement:contract-edit", args=[Contract.objects.get().pk]),
        reverse("procurement:evaluation-list"),
        reverse("procurement:evaluation-create"),
        reverse("procurement:evaluation-detail", args=[Evaluation.objects.get().pk]),
        reverse("workforce:worker-list"),
        reverse("workforce:workforce"),
        reverse("workforce:workforce") + "?as_of=2024-12-31",
        reverse("workforce:worker-create"),
        reverse("workforce:worker-import"),
        reverse("workforce:population"),
        reverse("workforce:worker-detail", args=[SocialWorker.objects.get().pk]),
        reverse("supervision:home"),
        reverse("reports:todos"),
        reverse("reports:alerts"),
        reverse("supervision:completeness") + "?start=2024-01&end=2024-06",
        reverse("supervision:month", args=[Contract.objects.get().pk, "2024-03"]),
    ]
    leaks = {url: interface_chinese(client.get(url).content.decode()) for url in pages}
    assert {url: found for url, found in leaks.items() if found} == {}


def test_the_contractors_supervision_pages_have_no_chinese_interface_left(world, english):
    from procurement.services import organisation_member_set
    from tests.factories import member

    staff = member("runner_en", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=Organisation.objects.get(
        name="柳州市城中区阳光社会工作服务中心").uscc)  # fmt: skip
    client = world.client_for(staff)
    client.cookies["django_language"] = "en"
    signed = Contract.objects.get()
    pages = [
        reverse("reports:home"),
        reverse("supervision:home"),
        reverse("supervision:month", args=[signed.pk, "2024-03"]),
        reverse("supervision:session-import"),
        reverse("reports:todos"),
    ]
    leaks = {url: interface_chinese(client.get(url).content.decode()) for url in pages}
    assert {url: found for url, found in leaks.items() if found} == {}


def test_the_language_menu_names_each_language_in_itself(world, english):
    client, _facility = english
    body = client.get(reverse("reports:home")).content.decode()
    assert ">简体中文</option>" in body and ">English</option>" in body


def test_the_english_catalogue_has_nothing_untranslated():
    """Every interface string of the code and templates has its English (make messages)."""
    from pathlib import Path

    import polib

    catalogue = polib.pofile(
        str(Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po")
    )
    left = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and (
            "fuzzy" in entry.flags
            or (entry.msgid_plural and not all(entry.msgstr_plural.values()))
            or (not entry.msgid_plural and not entry.msgstr)
        )
    ]
    assert left == []


def test_the_city_dashboard_has_no_chinese_interface_left(world, english):
    client = world.client_for(world.city_admin)
    client.cookies["django_language"] = "en"
    pages = [
        reverse("reports:home"),
        reverse("reports:home") + "?as_of=2024-12-31",
        reverse("reports:compliance") + "?division=4502&fragment=1",
    ]
    leaks = {url: interface_chinese(client.get(url).content.decode()) for url in pages}
    assert {url: found for url, found in leaks.items() if found} == {}
