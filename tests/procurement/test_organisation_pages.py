"""Organisation pages: list, detail with history, register and edit in the browser's forms."""

import pytest
from django.urls import reverse

from procurement.models import Organisation
from tests.helpers import get

pytestmark = pytest.mark.django_db

FORM = {
    "name": "柳州市城中区阳光社会工作服务中心",
    "uscc": "52450202mj00001810",
    "kind": "social_service_agency",
    "registration_authority": "柳州市城中区民政局",
    "registered_on": "2019-05-20",
    "social_work_in_scope": "on",
    "contact_person": "李敏",
    "contact_phone": "13800138000",
    "incubated_by": "450202",
    "incubated_on": "2021-03-01",
    "address": "",
    "remarks": "",
}


def test_a_county_officer_registers_edits_and_reads_the_history(world):
    client = world.client_for(world.county_officer)
    response = client.post(reverse("procurement:organisation-create"), FORM)
    organisation = Organisation.objects.get()
    assert response["Location"] == reverse(
        "procurement:organisation-detail", args=[organisation.pk]
    )
    assert (
        organisation.uscc == "52450202MJ00001810" and organisation.incubated_by_id == "450202000000"
    )
    edit = reverse("procurement:organisation-edit", args=[organisation.pk])
    form_page = get(client, edit).content.decode()
    assert '<option value="450202" selected>' in form_page and "data-division-picker" in form_page
    client.post(edit, {**FORM, "address": "柳州市城中路 1 号"})
    page = get(client, reverse("procurement:organisation-detail", args=[organisation.pk]))
    body = page.content.decode()
    assert "lz_chengzhong 于 " in body and "修改了本机构信息：地址 柳州市城中路 1 号" in body
    assert "登记了本机构" in body
    listed = get(client, reverse("procurement:organisation-list") + "?q=阳光").content.decode()
    assert "柳州市城中区阳光社会工作服务中心" in listed


def test_every_mistake_is_listed_after_one_save(world):
    client = world.client_for(world.county_officer)
    bad = {**FORM, "uscc": "362322198709086409", "contact_phone": "abc", "incubated_on": "x"}
    response = client.post(reverse("procurement:organisation-create"), bad)
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("uscc", "contact_phone", "incubated_on"):
        assert f'data-testid="error-{field}"' in body
    assert "共 3 处需要修改" in body and not Organisation.objects.exists()


def test_viewers_read_outsiders_see_nothing(world, outsiders):
    world.client_for(world.county_officer).post(reverse("procurement:organisation-create"), FORM)
    organisation = Organisation.objects.get()
    viewer = world.client_for(world.city_viewer)
    assert (
        viewer.get(reverse("procurement:organisation-detail", args=[organisation.pk])).status_code
        == 200
    )
    assert viewer.get(reverse("procurement:organisation-create")).status_code == 403
    members = [world.other_tenant_admin, world.contractor, world.evaluator]
    outsiders.assert_page_hidden(
        reverse("procurement:organisation-detail", args=[organisation.pk]), members=members
    )
    outsiders.assert_page_hidden(
        reverse("procurement:organisation-edit", args=[organisation.pk]), members=members
    )
    other = world.client_for(world.other_tenant_admin)
    assert "阳光" not in other.get(reverse("procurement:organisation-list")).content.decode()
