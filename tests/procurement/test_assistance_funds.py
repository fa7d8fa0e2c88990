"""Social assistance special funds (社会救助专项经费, plan 四(二)): recorded per county and year
with every problem reported at once, kept in history, seen within scope only; the rule
social_assistance_funds_share_max judges what each county buys from them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import AssistanceFunds
from procurement.services import assistance_funds_set
from reports.rules import compliance_run
from stations.models import Division
from stations.scoping import scope_of
from tests.factories import contract, organisation, station
from tests.helpers import get

pytestmark = pytest.mark.django_db


def share_rule(membership, code="4502", as_of=date(2024, 6, 30)):
    division = Division.objects.get(code=code.ljust(12, "0"))
    outcomes = compliance_run(scope_of(membership), division, as_of).outcomes
    return next(o.result for o in outcomes if o.rule.code == "social_assistance_funds_share_max")


@pytest.fixture
def bought(world):
    """城中区 pays 30,000 yuan a year of a 2024–2026 contract from social assistance funds."""
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    runner = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    return contract(world.county_officer, runner, [first], amount="600000.00",
                    funding={"budget": "510000.00", "social_assistance": "90000.00"})  # fmt: skip


def set_funds(actor, amount, year=2024, county="450202"):
    return assistance_funds_set(actor=actor, division=county, year=year, amount=amount,
                                source="城中区2024年社会救助资金预算")  # fmt: skip


class TestRule:
    def test_not_applicable_without_such_funding(self, world):
        result = share_rule(world.city_admin)
        assert result.passed is None and "没有以社会救助专项经费购买服务" in result.note

    def test_a_county_without_its_funds_recorded_cannot_be_checked(self, world, bought):
        result = share_rule(world.city_admin)
        assert result.passed is False
        assert [f.subject for f in result.findings] == ["城中区"]
        assert "2024 年列支 30,055 元，未登记当年社会救助专项经费" in result.findings[0].actual

    def test_the_share_of_the_years_funds_decides(self, world, bought):
        # 2024 is a leap year: 366 of the term's 1,096 days, i.e. 30,054.74 yuan.
        set_funds(world.county_officer, "1000000")
        result = share_rule(world.city_admin)
        assert result.passed is False and "占专项经费 1,000,000 元的 3.01%" in (
            result.findings[0].actual
        )
        assert result.findings[0].url.endswith("/assistance-funds/?year=2024")
        set_funds(world.county_officer, "2000000")  # replaces the year's figure
        result = share_rule(world.city_admin)
        assert result.passed is True and result.actual == "1/1 个列支的县（市、区）在比例内"
        assert AssistanceFunds.objects.count() == 1
        # The county is judged alone, another county not at all.
        assert share_rule(world.county_officer, "450202").passed is True
        assert share_rule(world.other_county_officer, "450206").passed is None

    def test_a_contract_ended_early_counts_only_the_days_it_ran(self, world, bought):
        from procurement.services import contract_terminate

        set_funds(world.county_officer, "1000000")
        contract_terminate(actor=world.county_officer, contract=bought,
                           on=date(2024, 3, 31), reason="承接机构退出")  # fmt: skip
        # 91 days of 2024 at 90,000 yuan over the signed 1,096 days: 7,473 yuan, 0.75 %.
        result = share_rule(world.city_admin)
        assert result.passed is True
        assert share_rule(world.city_admin, as_of=date(2025, 6, 30)).passed is None

    def test_the_threshold_is_policy(self, world, bought):
        from stations.services import policy_value_set

        set_funds(world.county_officer, "2000000")
        policy_value_set(actor=world.city_admin, code="social_assistance_funds_share_max",
                         value="0.01", effective_from=date(2024, 1, 1),
                         note="市级文件调整")  # fmt: skip
        result = share_rule(world.city_admin)
        assert result.passed is False and "≤ 1.0%" in result.expected


class TestService:
    def test_every_problem_at_once_and_nothing_written(self, world):
        with pytest.raises(ValidationError) as error:
            assistance_funds_set(actor=world.city_admin, division="4503", year="1999",
                                 amount="-5", source="")  # fmt: skip
        assert set(error.value.message_dict) == {"division", "year", "amount", "source"}
        with pytest.raises(ValidationError) as error:
            assistance_funds_set(actor=world.city_admin, division="450202", year="2024",
                                 amount="10.001", source="x" * 201)  # fmt: skip
        assert set(error.value.message_dict) == {"amount", "source"}
        assert not AssistanceFunds.objects.exists()

    def test_a_county_officer_records_only_its_county_and_history_names_who(self, world):
        with pytest.raises(ValidationError) as error:
            set_funds(world.county_officer, "1000000", county="450206")
        assert error.value.message_dict["division"] == ["只能登记本县（市、区）的经费。"]
        with pytest.raises(PermissionDenied):
            set_funds(world.city_viewer, "1000000")
        row = set_funds(world.county_officer, "1,000,000.50")
        assert row.amount == Decimal("1000000.50")
        event = row.events.select_related("pgh_context").get()
        assert event.pgh_context.metadata["action"] == "assistance_funds_set"


class TestPage:
    def test_the_page_lists_and_records_with_every_error_shown(self, world, outsiders):
        set_funds(world.county_officer, "1000000")
        client = world.client_for(world.county_officer)
        page = get(client, "/assistance-funds/").content.decode()
        assert "城中区" in page and ("1,000,000.00" in page or "1000000.00" in page)
        response = client.post("/assistance-funds/", {"division": "450202", "year": "20x4",
                                                      "amount": "", "source": ""})  # fmt: skip
        assert response.status_code == 400
        body = response.content.decode()
        for field in ("year", "amount", "source"):
            assert f'data-testid="error-{field}"' in body
        good = {"division": "450202", "year": "2025", "amount": "1200000", "source": "预算"}
        response = client.post("/assistance-funds/", good)
        assert response.status_code == 302
        assert AssistanceFunds.objects.filter(year=2025, amount=1200000).exists()
        # Another county's officer neither sees nor sets 城中区's figures.
        other = world.client_for(world.other_county_officer)
        assert "城中区" not in other.get("/assistance-funds/").content.decode()
        refused = other.post("/assistance-funds/", {"division": "450202", "year": "2025",
                                                    "amount": "1", "source": "x"})  # fmt: skip
        assert refused.status_code == 400
        assert AssistanceFunds.objects.get(year=2025).amount == 1200000
        # Viewers read, do not write; others get 404.
        viewer = world.client_for(world.city_viewer)
        assert 'data-testid="funds-form"' not in viewer.get("/assistance-funds/").content.decode()
        assert viewer.post("/assistance-funds/", {}).status_code in (403, 404)
        outsiders.assert_page_hidden(
            "/assistance-funds/", members=[outsiders.contractor, outsiders.evaluator]
        )
        gl = world.client_for(world.other_tenant_admin)
        assert "城中区" not in gl.get("/assistance-funds/").content.decode()

    def test_odd_input_is_refused_or_ignored_never_a_500(self, world):
        client = world.client_for(world.county_officer)
        nul = client.post("/assistance-funds/", {"division": "450202", "year": "2025",
                                                 "amount": "1", "source": "预算\x00"})  # fmt: skip
        assert nul.status_code == 400 and 'data-testid="error-source"' in nul.content.decode()
        for year in ("²⁰²⁴", "abc", "2024-01"):
            page = client.get("/assistance-funds/", {"year": year})
            assert page.status_code == 200 and f"{year} 年" not in page.content.decode()
        assert not AssistanceFunds.objects.exists()
