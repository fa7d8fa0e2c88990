"""Pages of the stations app: login, home, tenant switcher, division browser, overrides, health."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from stations.models import CoverageOverride, Role
from tests.factories import PASSWORD, member
from tests.helpers import DASHBOARD_CEILING, get

pytestmark = pytest.mark.django_db


class TestLogin:
    def test_login_page_is_chinese_and_a_good_login_reaches_home(self, world):
        client = Client()
        page = client.get(reverse("login"))
        assert "登录" in page.content.decode()
        response = client.post(
            reverse("login"), {"username": "lz_chengzhong", "password": PASSWORD}, follow=True
        )
        assert response.status_code == 200
        assert "城中区" in response.content.decode()

    def test_wrong_credentials_show_a_chinese_error_and_no_session(self, world):
        client = Client()
        response = client.post(reverse("login"), {"username": "lz_chengzhong", "password": "nope"})
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_pages_require_login(self, world):
        for name in ("reports:home", "stations:division-root", "reports:job-list"):
            response = Client().get(reverse(name))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_a_user_without_membership_is_told_so(self, world):
        from tests.factories import UserFactory

        UserFactory(username="nobody")
        client = Client()
        client.login(username="nobody", password=PASSWORD)
        response = client.get(reverse("reports:home"))
        assert response.status_code == 403
        assert "还没有任何租户的成员身份" in response.content.decode()

    def test_password_change_keeps_the_user_logged_in(self, world):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "new-Secret-4502",
                "new_password2": "new-Secret-4502",
            },
            follow=True,
        )
        assert "密码已修改" in response.content.decode()
        world.county_officer.user.refresh_from_db()
        assert world.county_officer.user.check_password("new-Secret-4502")

    def test_password_change_with_wrong_old_password_changes_nothing(self, world):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": "wrong",
                "new_password1": "new-Secret-4502",
                "new_password2": "new-Secret-4502",
            },
        )
        assert response.status_code == 200
        assert "旧密码不正确" in response.content.decode()
        world.county_officer.user.refresh_from_db()
        assert world.county_officer.user.check_password(PASSWORD)


class TestHome:
    def test_city_home_lists_every_county_with_township_counts(self, world):
        response = get(
            world.client_for(world.city_admin), reverse("reports:home"), ceiling=DASHBOARD_CEILING
        )
        body = response.content.decode()
        assert response.status_code == 200
        for county in (
            "城中区",
            "鱼峰区",
            "柳南区",
            "柳北区",
            "柳江区",
            "柳城县",
            "鹿寨县",
            "融安县",
            "三江侗族自治县",
        ):
            assert county in body
        assert "已覆盖 0 / 计入 118 个乡镇（街道）" in body

    def test_county_home_shows_only_its_county(self, world):
        body = get(world.client_for(world.county_officer), reverse("reports:home")).content.decode()
        assert "城中区" in body and "柳江区" not in body
        assert "城中街道" in body

    @pytest.mark.parametrize("who", ["contractor", "evaluator"])
    def test_contractors_and_evaluators_see_no_network(self, world, who):
        client = world.client_for(getattr(world, who))
        body = get(client, reverse("reports:home")).content.decode()
        assert 'data-testid="no-organisation"' in body and "城中区" not in body
        urls = [
            reverse("stations:division-root"),
            reverse("stations:division-detail", args=["4502"]),
            reverse("stations:division-detail", args=["450202001"]),
            reverse("reports:job-list"),
        ]
        for url in urls:
            assert client.get(url).status_code == 404

    def test_navigation_depends_on_the_role(self, world):
        body = get(world.client_for(world.contractor), reverse("reports:home")).content.decode()
        assert reverse("reports:job-list") not in body
        body = get(
            world.client_for(world.city_viewer), reverse("reports:home"), ceiling=DASHBOARD_CEILING
        ).content.decode()
        assert reverse("reports:job-list") in body


class TestTenantSwitcher:
    def test_a_member_of_two_tenants_switches_and_sees_the_other_tenant(self, world):
        both = member("both", "4503", Role.CITY_VIEWER)
        member("both", "4502", Role.CITY_VIEWER)
        client = world.client_for(both)
        first = client.get(reverse("reports:home")).content.decode()
        assert 'data-testid="tenant-switcher"' in first
        assert "柳州市 · 柳城县" not in first
        response = client.post(reverse("stations:tenant-switch"), {"tenant": "4503"}, follow=True)
        assert "桂林市" in response.content.decode()
        assert "秀峰区" in response.content.decode()
        client.post(reverse("stations:tenant-switch"), {"tenant": "4502"})
        assert "柳江区" in client.get(reverse("reports:home")).content.decode()

    def test_switching_to_a_tenant_without_membership_is_404(self, world):
        client = world.client_for(world.city_admin)
        assert client.post(reverse("stations:tenant-switch"), {"tenant": "4503"}).status_code == 404
        assert client.post(reverse("stations:tenant-switch"), {"tenant": "zz"}).status_code == 404
        assert "柳江区" in client.get(reverse("reports:home")).content.decode()


class TestDivisionBrowser:
    def test_city_to_county_to_township_to_villages(self, world):
        client = world.client_for(world.city_admin)
        city = get(client, reverse("stations:division-detail", args=["4502"])).content.decode()
        assert "柳北区" in city and 'data-testid="counted-units">118<' in city
        county = get(client, reverse("stations:division-detail", args=["450202"])).content.decode()
        assert "城中街道" in county and 'data-testid="breadcrumbs"' in county
        township = get(
            client, reverse("stations:division-detail", args=["450202001"])
        ).content.decode()
        assert "计入覆盖率" in township and "社区" in township
        assert 'data-testid="override-form"' in township

    def test_full_and_short_codes_open_the_same_page(self, world):
        client = world.client_for(world.city_admin)
        a = client.get(reverse("stations:division-detail", args=["450202001"]))
        b = client.get(reverse("stations:division-detail", args=["450202001000"]))
        assert a.status_code == b.status_code == 200

    def test_division_root_redirects_to_the_scope(self, world):
        response = world.client_for(world.county_officer).get(reverse("stations:division-root"))
        assert response["Location"] == reverse("stations:division-detail", args=["450202"])

    @pytest.mark.parametrize(
        "code", ["450206", "450206001", "4502", "45", "4503", "450302", "4502x", "999999"]
    )
    def test_a_county_officer_gets_404_outside_the_county(self, world, code):
        response = world.client_for(world.county_officer).get(
            reverse("stations:division-detail", args=[code])
        )
        assert response.status_code == 404
        assert "不在您的管辖范围内" in response.content.decode()

    @pytest.mark.parametrize("code", ["4503", "450302", "450302001", "4501", "45"])
    def test_another_tenant_gets_404(self, world, code):
        response = world.client_for(world.city_admin).get(
            reverse("stations:division-detail", args=[code])
        )
        assert response.status_code == 404

    def test_only_city_admins_see_the_override_form(self, world):
        for membership in (world.city_viewer, world.county_officer):
            body = (
                world.client_for(membership)
                .get(reverse("stations:division-detail", args=["450202001"]))
                .content.decode()
            )
            assert 'data-testid="override-form"' not in body


class TestOverrideForm:
    url = reverse("stations:division-detail", args=["450202001"])

    def test_city_admin_excludes_a_township_and_sees_it_in_history(self, world):
        client = world.client_for(world.city_admin)
        response = client.post(
            self.url,
            {"action": "set", "counted": "0", "reason": "整体搬迁，无常住人口"},
            follow=True,
        )
        body = response.content.decode()
        assert "覆盖口径已调整" in body
        assert "不计入覆盖率" in body and "整体搬迁" in body
        assert 'data-testid="history"' in body and "lz_admin 于 " in body
        assert "调整了覆盖口径：" in body and "计入覆盖率 否" in body
        assert "理由 整体搬迁，无常住人口" in body
        city = client.get(reverse("stations:division-detail", args=["4502"])).content.decode()
        assert 'data-testid="counted-units">117<' in city

        client.post(self.url, {"action": "clear"})
        assert not CoverageOverride.objects.exists()

    def test_missing_reason_shows_a_field_error_and_writes_nothing(self, world):
        response = world.client_for(world.city_admin).post(
            self.url, {"action": "set", "counted": "0", "reason": ""}
        )
        assert response.status_code == 400
        assert "该字段是必填项" in response.content.decode()
        assert not CoverageOverride.objects.exists()

    def test_same_as_default_is_refused_with_a_reason(self, world):
        response = world.client_for(world.city_admin).post(
            self.url, {"action": "set", "counted": "1", "reason": "x"}
        )
        assert response.status_code == 400
        assert "与默认口径相同" in response.content.decode()

    def test_viewers_and_county_officers_cannot_post(self, world):
        for membership in (world.city_viewer, world.county_officer):
            response = world.client_for(membership).post(
                self.url, {"action": "set", "counted": "0", "reason": "x"}
            )
            assert response.status_code == 403
        assert not CoverageOverride.objects.exists()

    def test_another_tenant_admin_gets_404(self, world):
        response = world.client_for(world.other_tenant_admin).post(
            self.url, {"action": "set", "counted": "0", "reason": "x"}
        )
        assert response.status_code == 404
        assert not CoverageOverride.objects.exists()


class TestLanguage:
    def test_english_is_available_and_chinese_is_the_default(self, world):
        client = world.client_for(world.city_admin)
        assert "首页" in client.get(reverse("reports:home")).content.decode()
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(reverse("reports:home")).content.decode()
        assert "Home" in body and 'lang="en"' in body


class TestHealth:
    def test_healthy(self, db):
        response = Client().get(reverse("stations:healthz"))
        assert response.status_code == 200
        assert response.json()["database"] == "ok"
        assert response.json()["broker"] == "ok"

    def test_database_down_answers_503(self, db):
        settings_dict = connection.settings_dict
        saved = dict(settings_dict)
        connection.close()
        settings_dict.update({"HOST": "127.0.0.1", "PORT": "1", "OPTIONS": {"connect_timeout": 2}})
        try:
            response = Client().get(reverse("stations:healthz"))
        finally:
            connection.close()
            settings_dict.clear()
            settings_dict.update(saved)
        assert response.status_code == 503
        assert response.json()["database"].startswith("error")


class TestOtherCities:
    @pytest.mark.parametrize(
        ("code", "county"),
        [("5223", "兴义市"), ("3412", "颍州区"), ("2302", "龙沙区"), ("3207", "连云区")],
    )
    def test_each_new_tenant_browses_its_real_counties_and_excludes_township_like_units(
        self, code, county
    ):
        from stations.division_import import import_shipped
        from stations.models import Division
        from stations.services import tenant_create

        import_shipped()
        tenant_create(code=code)
        admin = member(f"admin_{code}", code, Role.CITY_ADMIN)
        client = Client()
        client.login(username=admin.user.username, password=PASSWORD)
        body = get(client, reverse("stations:division-detail", args=[code])).content.decode()
        townships = Division.objects.filter(city_code=code, level="township")
        like = townships.filter(township_kind="township_like").count()
        assert county in body
        assert f'data-testid="total-units">{townships.count()}<' in body
        assert f'data-testid="counted-units">{townships.count() - like}<' in body
        assert f'data-testid="excluded-units">{like}<' in body


class TestDivisionHistory:
    def test_a_renamed_division_shows_its_history(self, world):
        from stations.division_import import _Row, divisions_import
        from stations.models import Division

        rows = [_Row(d.code, d.name) for d in Division.objects.filter(code__startswith="450202")]
        rows = [_Row(r.code, "新城中街道") if r.code == "450202001000" else r for r in rows]
        divisions_import(
            rows,
            levels=("province", "city", "county", "township", "village"),
            only="450202",
            retire_villages_under=("450202",),
        )
        body = (
            world.client_for(world.county_officer)
            .get(reverse("stations:division-detail", args=["450202001"]))
            .content.decode()
        )
        assert (
            'data-testid="division-history"' in body
            and "新城中街道" in body
            and "import_divisions" in body
        )
        # Nobody else's pages show the change.
        elsewhere = [
            (world.other_county_officer, "450206"),
            (world.other_county_officer, "450206001"),
            (world.other_tenant_admin, "4503"),
            (world.other_tenant_admin, "450302001"),
        ]
        for membership, code in elsewhere:
            client = world.client_for(membership)
            page = client.get(reverse("stations:division-detail", args=[code])).content.decode()
            assert "新城中街道" not in page and 'data-testid="division-history"' not in page


class TestDivisionPicker:
    """The picker every division field uses, the township page's station and 在此建站."""

    def test_the_township_page_links_its_station_and_offers_to_create_one(self, world):
        from datetime import date

        from tests.factories import station

        officer = world.client_for(world.county_officer)
        url = reverse("stations:division-detail", args=["450202002"])
        empty = get(officer, url).content.decode()
        assert 'data-testid="no-facility"' in empty
        assert "?level=township_station&amp;division=450202002" in empty
        facility = station(world.county_officer, "450202002", date(2021, 3, 1))
        page = get(officer, url).content.decode()
        assert reverse("stations:facility-detail", args=[facility.pk]) in page
        assert facility.name in page and "2021-03-01 起运营" in page
        viewer = get(world.client_for(world.city_viewer), url).content.decode()
        assert facility.name in viewer and 'data-testid="create-here"' not in viewer

    def test_the_new_station_form_is_prefilled_from_the_link(self, world):
        body = get(
            world.client_for(world.county_officer),
            reverse("stations:facility-create") + "?level=township_station&division=450202002",
        ).content.decode()
        assert "data-division-picker" in body and 'data-root="450202"' in body
        assert '<option value="450202002" selected>城中区 · 公园街道（450202002）</option>' in body
        assert "tom-select.complete.min.js" in body and "division-picker.js" in body

    def test_the_jobs_form_picks_its_division_by_kind(self, world):
        body = get(world.client_for(world.city_admin), reverse("reports:job-list")).content.decode()
        assert 'data-levels-from="job-kind"' in body and 'data-root="4502"' in body
        assert 'data-root-level="city"' in body
