"""The compliance report of the demo city 柳州 for 2023 (issue 12's acceptance): every rule
of DESIGN.md §5 with its clause in the PDF and the XLSX, read back, and the findings the
demo was built to have, checked against the demo's own construction and against figures
reached by other code paths (completeness, the contracts as recorded)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from procurement.demo import ASSISTANCE_FUNDS, EXTRA_INCUBATED, SOCIAL_ASSISTANCE_COUNTIES
from reports.compliance_report import county_comparison, verdict
from reports.models import JobStatus
from reports.rules import compliance_run
from reports.services import job_request, job_run
from stations.demo import demo_load
from stations.models import Division, Role
from stations.scoping import scope_of
from stations.selectors import memberships_of
from supervision.selectors import completeness
from tests.helpers import pdf_text, sheets

pytestmark = pytest.mark.django_db
AS_OF = date(2023, 12, 31)

# DESIGN.md §5: each rule the platform checks and the plan clause it cites.
DESIGN_RULES = {
    "coverage_target": "一(三)1",
    "county_centre_and_demonstration": "二(一)2",
    "six_haves": "二(一)3",
    "station_under_contract": "二(三)",
    "contract_years": "三(二)",
    "contract_required_clauses": "三(二)",
    "stationed_workers_per_station_min": "二(三)2",
    "pay_floors": "二(三)2",
    "evaluator_independence": "二(三)3",
    "organisations_incubated_per_county_min": "一(三)3",
    "social_assistance_funds_share_max": "四(二)",
    "licensed_growth_rate": "一(三)2",
    "licensed_multiple_of_baseline": "一(三)2",
    "licensed_per_township_min": "一(三)2",
    "specialist_share_min": "一(三)2",
    "stationed_workers_per_station_actual": "二(三)2",
    "qualification_within_years": "二(三)2",
    "training_hours_per_year_min": "二(四)3",
    "registration_valid": "民发〔2009〕44号、民发〔2009〕123号",
    "supervision_sessions_per_station_month_min": "二(四)3",
    "supervision_hours_per_session_min": "二(四)3",
    "stations_per_supervisor": "二(四)3",
}


def squeeze(text: str) -> str:
    """Text without whitespace: PDF extraction breaks table cells and headings into lines."""
    return "".join(text.split())


def test_the_2023_report_of_the_demo_city_has_every_rule_and_the_demos_findings(
    django_capture_on_commit_callbacks,
):
    demo_load(password="demo-password-123")
    admin = memberships_of(get_user_model().objects.get(username="demo_city")).get(
        role=Role.CITY_ADMIN
    )
    scope = scope_of(admin)
    city = Division.objects.get(code="450200000000")
    compliance = compliance_run(scope, city, AS_OF)
    results = {outcome.rule.code: outcome.result for outcome in compliance.outcomes}
    files = {}
    for report_format in ("pdf", "xlsx"):
        with django_capture_on_commit_callbacks(execute=False):
            parameters = {"as_of": AS_OF.isoformat(), "format": report_format}
            job = job_request(actor=admin, kind="compliance", parameters=parameters)
        job = job_run(job_id=job.pk)
        assert job.status == JobStatus.SUCCEEDED, job.error
        files[report_format] = job.result_file.read()
    text, book = squeeze(pdf_text(files["pdf"])), sheets(files["xlsx"])

    # Every rule of DESIGN.md §5, with its clause, in the summary and a section of its own.
    assert {code: outcome.rule.clause for code, outcome in
            ((o.rule.code, o) for o in compliance.outcomes)} == DESIGN_RULES  # fmt: skip
    summary = {row[0]: row for row in book["汇总"][6:] if row and row[0]}
    assert list(summary) == list(DESIGN_RULES)
    for index, outcome in enumerate(compliance.outcomes, start=1):
        code, result = outcome.rule.code, outcome.result
        row = summary[code]
        assert row[1] == str(outcome.rule.title) and row[2] == outcome.rule.clause
        assert row[5] == verdict(result.passed) and row[6] == len(result.findings), code
        heading = f"{index}.{outcome.rule.title}（{outcome.rule.clause}）：{verdict(result.passed)}"
        assert squeeze(heading) in text, heading
        sheet = book[f"{index} {outcome.rule.clause}"[:31]]
        assert [r[0] for r in sheet[2:]][: len(result.findings)] == [
            f.subject for f in result.findings
        ]

    # The defects the demo was built with (procurement/demo.py, stations/demo_network.py).
    assert results["coverage_target"].passed is True
    clauses = results["contract_required_clauses"]
    assert [f.subject.split()[0] for f in clauses.findings] == ["LZ26-2021-01"]
    assert clauses.findings[0].actual == "未载明：督导培训、评估要求"
    promised = results["stationed_workers_per_station_min"].findings
    contract_rows = book["7 二(三)2"][2:]
    assert len(promised) == 2 and all("LZ24-2021-01 承诺 1 人" in f.actual for f in promised)
    assert {r[0] for r in contract_rows} == {f.subject for f in promised}
    actual = results["stationed_workers_per_station_actual"].findings
    assert {f.subject for f in actual} == {f.subject for f in promised}  # the same two stations
    incubated = results["organisations_incubated_per_county_min"]
    reaching = {code for code, extra in EXTRA_INCUBATED.items() if 1 + len(extra) >= 3}
    counties = Division.objects.filter(parent=city, level="county", retired_on__isnull=True)
    assert {f.division for f in incubated.findings} == {
        county.short_code for county in counties if county.short_code not in reaching
    }
    share = results["social_assistance_funds_share_max"]
    over = [code for code in SOCIAL_ASSISTANCE_COUNTIES if ASSISTANCE_FUNDS[code] < 3_500_000]
    assert [f.division for f in share.findings] == over == ["450222"]
    assert (
        "2.60%" in share.findings[0].actual and share.actual == "1/2 个列支的县（市、区）在比例内"
    )
    assert results["pay_floors"].passed is True  # 鹿寨's low pay starts with the 2024 contract
    # Supervision: the station-months without a session are the ones completeness counts.
    figures = completeness(scope, city, date(2023, 1, 1), date(2023, 12, 1))
    sessions = results["supervision_sessions_per_station_month_min"]
    assert len(sessions.findings) == figures.station_months - figures.supervised > 0
    assert all(f.actual == "0 次" for f in sessions.findings)
    # Workers: every finding names a masked ID number, never a whole one.
    for code in ("registration_valid", "training_hours_per_year_min",
                 "qualification_within_years"):  # fmt: skip
        assert results[code].passed is False and results[code].findings, code
        assert all("********" in f.subject for f in results[code].findings), code
    assert all(float(f.actual.split("已培训 ")[1].split(" ")[0]) < 48
               for f in results["training_hours_per_year_min"].findings)  # fmt: skip

    # The per-county comparison adds up to each rule's records.
    comparison = {row[0]: row[2:-1] for row in book["分县对比"][3:]}
    rows = county_comparison(compliance, list(counties.order_by("code")))
    assert {row.name: tuple(row.counts) for row in rows} == comparison
    for index, outcome in enumerate(compliance.outcomes):
        assert sum(counts[index] for counts in comparison.values()) == len(outcome.result.findings)
    assert "分县（市、区）对比" in text and "□" not in text
