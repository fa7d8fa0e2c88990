"""Rules of the workforce (plan 一(三)2, 二(三)2, 二(四)3, and the national qualification
rules), each with its clause.

Each check takes the scope, the city or county it is for and a day, reads its thresholds
from the tenant's policy values (the national ones from ``workforce.national``), and
returns the figures and the offending records in a fixed number of queries.

Who counts:

- licensed (持证) workers of a city are every worker in scope holding a certificate
  obtained by the day; of a county, those it registered or stationed there that day
  (``summary.workers_in``);
- stationed workers are those in a station role (驻站社工 or 站长, ``STATION_ROLES``) on
  the day; a 督导 visits from outside and does not count.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Left
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.selectors import stations_operating
from stations.calendar import add_years
from stations.compliance import counties_in, division_url, missing_policy, percent
from stations.coverage import counted_units
from stations.divisions import Level
from stations.models import Division
from stations.policy import PolicyMissing
from stations.registry import Finding, Rule, RuleResult
from stations.scoping import Scope
from stations.selectors import in_force_on, policy_value, policy_values_visible
from workforce.credentials import status_on
from workforce.models import (
    LEVEL_RANK,
    PLAN_SPECIALTIES,
    Assignment,
    Credential,
    CredentialLevel,
    CredentialStatus,
    Specialty,
    Training,
    WorkerStatus,
)
from workforce.national import (
    CONTINUING_EDUCATION_HOURS,
    CONTINUING_EDUCATION_SOURCE,
    FIRST_REGISTRATION_WITHIN_YEARS,
    REGISTRATION_SOURCE,
)
from workforce.selectors import social_workers_visible
from workforce.summary import (
    CITY,
    STATION_ROLES,
    licensed_levels,
    licensed_series,
    on_post,
    specialty_shares,
    workers_in,
    year_elapsed,
)


def _worker_url(worker_id: int) -> str:
    return reverse("workforce:worker-detail", args=[worker_id])


def _worker_subject(name: str, masked: str) -> str:
    """A worker as findings name them: the name and the masked ID number."""
    return _("%(name)s（%(number)s）") % {"name": name, "number": masked}


def _key(division: Division) -> str:
    """The key of ``division`` in ``licensed_series``."""
    return division.county_code if division.level == Level.COUNTY else CITY


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _county_findings(
    scope: Scope,
    division: Division,
    as_of: datetime.date,
    before: dict[str, int],
    now: dict[str, int],
    target: float,
    expected: str,
    describe,
) -> list[Finding]:
    """One finding per county of ``division`` whose ratio now/before falls short of
    ``target`` (counties with nobody before are not judged)."""
    findings = []
    for county in counties_in(scope, division, as_of):
        base, figure = before.get(county.county_code, 0), now.get(county.county_code, 0)
        if base and figure / base < target:
            findings.append(
                Finding(
                    subject=county.name,
                    division=county.short_code,
                    expected=expected,
                    actual=describe(base, figure),
                    url=division_url(county.short_code),
                )
            )
    return findings


def check_licensed_growth_rate(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """The licensed total grows by policy ``licensed_growth_rate`` a year (plan 一(三)2:
    about 25 %), from the end of the previous year; before 31 December the target is the
    same pace for the part of the year passed, (1 + rate)^(elapsed) − 1."""
    try:
        rate = float(policy_value(scope, "licensed_growth_rate", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    start = _year_end(as_of.year - 1)
    series = licensed_series(scope, [start, as_of])
    before, now = series[start], series[as_of]
    fraction = year_elapsed(as_of)
    target = (1 + rate) ** fraction - 1
    expected = (
        _("年增长 ≥ %(rate)s") % {"rate": percent(rate)}
        if fraction == 1
        else _("年增长 ≥ %(rate)s（截至该日按进度 ≥ %(target)s）")
        % {"rate": percent(rate), "target": percent(target)}
    )

    def describe(base: int, figure: int) -> str:
        return _("%(start)s 年末 %(base)d 人 → %(figure)d 人（%(growth)s）") % {
            "start": start.year,
            "base": base,
            "figure": figure,
            "growth": percent((figure - base) / base),
        }

    base, figure = before.get(_key(division), 0), now.get(_key(division), 0)
    if not base:
        return RuleResult(
            passed=None,
            expected=expected,
            actual=_("%(n)d 人") % {"n": figure},
            note=_("%(year)d 年末没有持证社工，无法计算增长率。") % {"year": start.year},
        )
    findings = []
    if division.level != Level.COUNTY:
        findings = _county_findings(
            scope, division, as_of, before, now, 1 + target, expected, describe
        )
    return RuleResult(
        passed=(figure - base) / base >= target - 1e-9,
        expected=expected,
        actual=describe(base, figure),
        findings=findings,
    )


def check_licensed_multiple_of_baseline(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """In the year policy ``licensed_multiple_of_baseline`` applies (柳州: 2023), the licensed
    total reaches that multiple of the end of policy ``licensed_baseline_year`` (2020), plan
    一(三)2 “翻一番”. Judged on the last day the target applies (31 December of the day's
    year when it has no end); before, the figure is shown without a verdict. Not applicable
    on a day with no such target."""
    target_row = (
        policy_values_visible(scope)
        .filter(in_force_on(as_of), code="licensed_multiple_of_baseline")
        .first()
    )
    if target_row is None:
        return RuleResult(
            passed=None,
            expected="—",
            actual="—",
            note=_("该日没有持证社工倍数目标（%(code)s）。")
            % {"code": "licensed_multiple_of_baseline"},
        )
    try:
        baseline_year = int(policy_value(scope, "licensed_baseline_year", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    multiple = float(target_row.value)
    start = _year_end(baseline_year)
    series = licensed_series(scope, [start, as_of])
    before, now = series[start], series[as_of]
    expected = _("达到 %(year)d 年末的 %(multiple)s 倍") % {
        "year": baseline_year,
        "multiple": f"{multiple:g}",
    }

    def describe(base: int, figure: int) -> str:
        return _("%(year)d 年末 %(base)d 人 → %(figure)d 人（%(multiple).2f 倍）") % {
            "year": baseline_year,
            "base": base,
            "figure": figure,
            "multiple": figure / base,
        }

    base, figure = before.get(_key(division), 0), now.get(_key(division), 0)
    if not base:
        return RuleResult(
            passed=None,
            expected=expected,
            actual=_("%(n)d 人") % {"n": figure},
            note=_("%(year)d 年末没有持证社工，无法计算倍数。") % {"year": baseline_year},
        )
    # Judged on the last day of the target's period, or of the day's year when it is open.
    last_day = target_row.effective_to or _year_end(as_of.year)
    if as_of < last_day:
        return RuleResult(
            passed=None,
            expected=expected,
            actual=describe(base, figure),
            note=_("目标按 %(day)s 的人数判定。") % {"day": last_day},
        )
    findings = []
    if division.level != Level.COUNTY:
        findings = _county_findings(
            scope, division, as_of, before, now, multiple, expected, describe
        )
    return RuleResult(
        passed=figure / base >= multiple,
        expected=expected,
        actual=describe(base, figure),
        findings=findings,
    )


def check_licensed_per_township(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Every counted township has at least policy ``licensed_per_township_min`` licensed
    workers stationed at a facility in it on the day (plan 一(三)2 “各乡镇（街道）都有持证
    社工”); a township without a station has none."""
    try:
        minimum = int(policy_value(scope, "licensed_per_township_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    units = list(counted_units(scope, division, as_of).order_by("code").values("code", "name"))
    posts = Assignment.objects.filter(
        on_post(as_of),
        tenant_id=scope.tenant_id,
        role__in=STATION_ROLES,
        worker__in=social_workers_visible(scope).values("pk"),
        worker__credentials__passed_on__lte=as_of,
    )
    if division.level == Level.COUNTY:
        posts = posts.filter(county_code=division.county_code)
    counts = dict(
        posts.annotate(township=Left("facility__division_id", 9))
        .values("township")
        .annotate(n=Count("worker", distinct=True))
        .order_by()
        .values_list("township", "n")
    )
    expected = _("每个乡镇（街道）持证驻站社工 ≥ %(n)d 人") % {"n": minimum}
    findings = [
        Finding(
            subject=unit["name"],
            division=unit["code"][:9],
            expected=expected,
            actual=_("%(n)d 人") % {"n": counts.get(unit["code"][:9], 0)},
            url=division_url(unit["code"][:9]),
        )
        for unit in units
        if counts.get(unit["code"][:9], 0) < minimum
    ]
    return RuleResult(
        passed=bool(units) and not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个乡镇（街道）达标")
        % {"ok": len(units) - len(findings), "total": len(units)},
        findings=findings,
    )


def check_specialist_share(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """Each of the plan's four specialties (未成年人保护, 社会救助, 养老服务, 司法保护) is at
    least policy ``specialist_share_min`` of the licensed total (plan 一(三)2: 10 %)."""
    try:
        share = float(policy_value(scope, "specialist_share_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    workers = workers_in(scope, division, as_of)
    licensed = sum(licensed_levels(scope, division, [as_of])[as_of].values())
    shares = specialty_shares(workers, as_of, licensed)
    expected = _("各专业占持证社工 ≥ %(share)s") % {"share": percent(share)}
    url = reverse("workforce:worker-list")
    findings = [
        Finding(
            subject=str(Specialty(code).label),
            division=division.short_code,
            expected=expected,
            actual=_("%(share)s（%(n)d/%(total)d 人）")
            % {
                "share": percent(shares[code]),
                "n": round(shares[code] * licensed),
                "total": licensed,
            },
            url=f"{url}?specialty={code}",
        )
        for code in PLAN_SPECIALTIES
        if shares[code] < share
    ]
    return RuleResult(
        passed=bool(licensed) and not findings,
        expected=expected,
        actual=_("；").join(
            f"{Specialty(code).label} {percent(shares[code])}" for code in PLAN_SPECIALTIES
        ),
        findings=findings,
        note="" if licensed else _("该日没有持证社工。"),
    )


def check_stationed_workers_actual(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each operating township station has at least policy
    ``stationed_workers_per_station_min`` workers actually stationed there on the day
    (plan 二(三)2 “派出驻站社工不少于2人”), whatever the contract promised."""
    try:
        minimum = int(policy_value(scope, "stationed_workers_per_station_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    stationed = (
        Assignment.objects.filter(on_post(as_of), facility=OuterRef("pk"), role__in=STATION_ROLES)
        .values("facility")
        .annotate(n=Count("worker", distinct=True))
        .values("n")
    )
    county = division.county_code if division.level == Level.COUNTY else None
    stations = list(
        stations_operating(scope, as_of, county)
        .annotate(stationed=Coalesce(Subquery(stationed, output_field=IntegerField()), 0))
        .order_by("county_code", "division_id")
        .values("pk", "name", "division_id", "stationed")
    )
    expected = _("每站驻站社工 ≥ %(n)d 人") % {"n": minimum}
    findings = [
        Finding(
            subject=row["name"],
            division=row["division_id"][:9],
            expected=expected,
            actual=_("%(n)d 人") % {"n": row["stationed"]},
            url=reverse("stations:facility-detail", args=[row["pk"]]),
        )
        for row in stations
        if row["stationed"] < minimum
    ]
    return RuleResult(
        passed=bool(stations) and not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个站点达标")
        % {"ok": len(stations) - len(findings), "total": len(stations)},
        findings=findings,
    )


def _stationed_workers(scope: Scope, division: Division, as_of: datetime.date):
    """Workers in scope in a station role on the day (in the county, for a county),
    annotated with ``post_county``: the county of one such post."""
    posts = Assignment.objects.filter(on_post(as_of), worker=OuterRef("pk"), role__in=STATION_ROLES)
    if division.level == Level.COUNTY:
        posts = posts.filter(county_code=division.county_code)
    return (
        social_workers_visible(scope)
        .select_related(None)
        .filter(Exists(posts))
        .annotate(post_county=Subquery(posts.order_by("started_on").values("county_code")[:1]))
    )


def check_qualification_within_years(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Workers stationed on the day hold a certificate within policy
    ``qualification_within_years`` years of their first day in a station role (plan
    二(三)2 “两年内具备社会工作专业资质”)."""
    try:
        years = int(policy_value(scope, "qualification_within_years", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    workers = list(
        _stationed_workers(scope, division, as_of)
        .annotate(
            first_day=Min("assignments__started_on", filter=Q(assignments__role__in=STATION_ROLES)),
            qualified=Exists(
                Credential.objects.filter(worker=OuterRef("pk"), passed_on__lte=as_of)
            ),
        )
        .order_by("post_county", "name", "pk")
        .values("pk", "name", "id_number_masked", "post_county", "first_day", "qualified")
    )
    expected = _("驻站 %(n)d 年内取得社会工作者职业水平证书") % {"n": years}
    findings = []
    for row in workers:
        deadline = add_years(row["first_day"], years)
        if row["qualified"] or as_of < deadline:
            continue
        findings.append(
            Finding(
                subject=_worker_subject(row["name"], row["id_number_masked"]),
                division=row["post_county"],
                expected=expected,
                actual=_("%(start)s 起驻站，%(deadline)s 前未取得证书")
                % {"start": row["first_day"], "deadline": deadline},
                url=_worker_url(row["pk"]),
            )
        )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 名驻站社工符合")
        % {"ok": len(workers) - len(findings), "total": len(workers)},
        findings=findings,
        note="" if workers else _("该日没有驻站社工。"),
    )


def check_training_hours(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """Workers stationed on the day are trained at least policy
    ``training_hours_per_year_min`` hours in the calendar year (plan 二(四)3: 48 h); before
    31 December the target is that share of the year passed."""
    try:
        minimum = Decimal(str(policy_value(scope, "training_hours_per_year_min", as_of)))
    except PolicyMissing as error:
        return missing_policy(error)
    fraction = year_elapsed(as_of)
    target = (minimum * Decimal(fraction)).quantize(Decimal("0.1"))
    trained = (
        Training.objects.filter(
            worker=OuterRef("pk"),
            held_on__gte=datetime.date(as_of.year, 1, 1),
            held_on__lte=as_of,
        )
        .values("worker")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    workers = list(
        _stationed_workers(scope, division, as_of)
        .annotate(hours=Coalesce(Subquery(trained, output_field=DecimalField()), Value(Decimal(0))))
        .order_by("post_county", "name", "pk")
        .values("pk", "name", "id_number_masked", "post_county", "hours")
    )
    expected = (
        _("每年培训 ≥ %(n)s 学时") % {"n": f"{minimum:g}"}
        if fraction == 1
        else _("每年培训 ≥ %(n)s 学时（截至该日按进度 ≥ %(target)s 学时）")
        % {"n": f"{minimum:g}", "target": target}
    )
    findings = [
        Finding(
            subject=_worker_subject(row["name"], row["id_number_masked"]),
            division=row["post_county"],
            expected=expected,
            actual=_("%(year)d 年已培训 %(hours)s 学时")
            % {"year": as_of.year, "hours": row["hours"]},
            url=_worker_url(row["pk"]),
        )
        for row in workers
        if row["hours"] < target
    ]
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 名驻站社工达标")
        % {"ok": len(workers) - len(findings), "total": len(workers)},
        findings=findings,
        note="" if workers else _("该日没有驻站社工。"),
    )


def check_registration_valid(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """National rules for the licensed workers in post (在岗): the highest certificate is
    registered within a year of passing (a late first registration is flagged while it
    runs) and its registration has not run out (民发〔2009〕
    44号); the last registration period that ended had the continuing-education hours of the
    level (民发〔2009〕123号: 72 h 助理, 90 h 社会工作师 and 高级), counting the hours recorded
    on the registration and the platform's training records of the period."""
    workers = workers_in(scope, division, as_of).filter(status=WorkerStatus.ACTIVE)
    total, highest = _registration_candidates(workers, as_of)
    expected = _("证书按期登记、有效；每个登记有效期继续教育学时达标")
    findings = []
    for held in highest:
        problems = _registration_problems(held["level"], held["passed_on"], held["periods"], as_of)
        if problems:
            findings.append(
                Finding(
                    subject=_worker_subject(held["name"], held["masked"]),
                    division=held["county"],
                    expected=expected,
                    actual=_("；").join(problems),
                    url=_worker_url(held["worker_id"]),
                )
            )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 名在岗持证社工符合")
        % {"ok": total - len(findings), "total": total},
        findings=findings,
        note=_("依据 %(a)s、%(b)s（全国规定）。")
        % {"a": REGISTRATION_SOURCE, "b": CONTINUING_EDUCATION_SOURCE},
    )


def _registration_candidates(workers, as_of: datetime.date) -> tuple[int, list[dict]]:
    """(how many workers in post hold a certificate, the highest certificates that may break
    a registration rule), in one query: ``[{"worker_id", "level", "passed_on", "name",
    "masked", "county", "periods": [Period]}]`` by county, name and worker. The database
    picks each worker's highest certificate and keeps those whose current registration
    ended, that were never registered, first registered after the allowed years, or whose
    last ended period had fewer continuing-education hours than the level asks, with their
    registrations begun by the day and each one's training (a period runs from the day
    after the previous one ended); _registration_problems then judges each exactly and words
    the problem. Plain values: never a decrypted ID number."""
    try:  # no ordering: Meta's would sort every worker by tenant and name for nothing
        workers_sql, workers_params = workers.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no worker
        return 0, []
    # The levels' ranks and continuing-education hours go as parameters, pair by pair.
    ranks = " ".join("WHEN %s THEN %s" for _level in LEVEL_RANK)
    rank_params = [value for pair in LEVEL_RANK.items() for value in pair]
    required = " ".join("WHEN %s THEN %s" for _level in CONTINUING_EDUCATION_HOURS)
    required_params = [
        value
        for level, rule in CONTINUING_EDUCATION_HOURS.items()
        for value in (str(level), rule.value)
    ]
    sql = f"""
        WITH workers(id) AS ({workers_sql}),
        c AS (
          SELECT DISTINCT ON (c.worker_id) c.id, c.worker_id, c.level, c.passed_on
          FROM workforce_credential c JOIN workers w ON w.id = c.worker_id
          WHERE c.passed_on <= %s
          ORDER BY c.worker_id, CASE c.level {ranks} END DESC, c.id),
        r AS (
          SELECT g.id, g.credential_id, g.registered_on, g.valid_until,
                 g.continuing_education_hours AS recorded,
                 COALESCE(LAG(g.valid_until) OVER (PARTITION BY g.credential_id
                                                   ORDER BY g.registered_on, g.id),
                          DATE '1900-01-01') AS previous_until
          FROM workforce_registration g JOIN c ON c.id = g.credential_id
          WHERE g.registered_on <= %s),
        s AS (
          SELECT c.id, min(r.registered_on) AS first_on,
                 (array_agg(r.valid_until ORDER BY r.registered_on DESC, r.id DESC))[1]
                   AS current_until
          FROM c LEFT JOIN r ON r.credential_id = c.id GROUP BY c.id),
        e AS (
          SELECT DISTINCT ON (r.credential_id) r.* FROM r WHERE r.valid_until < %s
          ORDER BY r.credential_id, r.valid_until DESC, r.id DESC),
        t AS (
          SELECT e.credential_id, e.recorded + COALESCE(sum(tr.hours), 0) AS hours
          FROM e JOIN c ON c.id = e.credential_id
          LEFT JOIN workforce_training tr ON tr.worker_id = c.worker_id
               AND tr.held_on >= e.registered_on AND tr.held_on > e.previous_until
               AND tr.held_on <= e.valid_until
          GROUP BY e.credential_id, e.recorded),
        candidates AS (
          SELECT c.* FROM c JOIN s ON s.id = c.id LEFT JOIN t ON t.credential_id = c.id
          WHERE s.current_until < %s OR s.first_on IS NULL
             OR s.first_on > c.passed_on + make_interval(years => %s)
             OR t.hours < CASE c.level {required} END),
        periods AS (
          SELECT r.credential_id, json_agg(json_build_array(
                   r.registered_on, r.valid_until, r.recorded::text,
                   (SELECT COALESCE(sum(tr.hours), 0) FROM workforce_training tr
                    WHERE tr.worker_id = k.worker_id AND tr.held_on >= r.registered_on
                      AND tr.held_on > r.previous_until AND tr.held_on <= r.valid_until)::text)
                   ORDER BY r.registered_on, r.id) AS periods
          FROM r JOIN candidates k ON k.id = r.credential_id GROUP BY r.credential_id)
        SELECT (SELECT count(*) FROM c), k.worker_id, k.level, k.passed_on, w.name,
               w.id_number_masked, w.registered_county, p.periods
        FROM (SELECT 1) one
        LEFT JOIN candidates k ON true
        LEFT JOIN workforce_socialworker w ON w.id = k.worker_id
        LEFT JOIN periods p ON p.credential_id = k.id
        ORDER BY w.registered_county, w.name, k.worker_id
    """  # noqa: S608 - workers_sql is the ORM's own SQL; every value goes as a parameter
    params = [
        *workers_params,
        as_of,
        *rank_params,
        as_of,
        as_of,
        as_of,
        FIRST_REGISTRATION_WITHIN_YEARS.value,
        *required_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    candidates = [
        {
            "worker_id": worker_id,
            "level": level,
            "passed_on": passed_on,
            "name": name,
            "masked": masked,
            "county": county,
            "periods": [
                Period(
                    datetime.date.fromisoformat(start),
                    datetime.date.fromisoformat(until),
                    Decimal(recorded),
                    Decimal(trained),
                )
                for start, until, recorded, trained in periods or ()
            ],
        }
        for _total, worker_id, level, passed_on, name, masked, county, periods in rows
        if worker_id is not None
    ]
    return rows[0][0], candidates


class Period(NamedTuple):
    """One registration as the rule reads it: its period, the continuing-education hours
    recorded on it and the platform's training of the period (``trained``, hours)."""

    registered_on: datetime.date
    valid_until: datetime.date
    continuing_education_hours: Decimal
    trained: Decimal


def _registration_problems(
    level: str, passed_on: datetime.date, registrations: list[Period], as_of: datetime.date
) -> list[str]:
    """What is wrong on ``as_of`` with a credential of ``level`` passed on ``passed_on``,
    given its ``registrations`` (oldest first), in Chinese; empty when nothing is."""
    label = CredentialLevel(level).label
    problems = []
    status = status_on(registrations, as_of)
    started = sorted(
        (registration for registration in registrations if registration.registered_on <= as_of),
        key=lambda registration: registration.registered_on,
    )
    due = add_years(passed_on, FIRST_REGISTRATION_WITHIN_YEARS.value)
    if status == CredentialStatus.EXPIRED:
        problems.append(
            _("%(level)s登记已于 %(day)s 到期") % {"level": label, "day": started[-1].valid_until}
        )
    elif status == CredentialStatus.UNREGISTERED:
        if as_of > due:
            problems.append(_("%(level)s取得后未在 %(day)s 前登记") % {"level": label, "day": due})
    elif started[0].registered_on > due and as_of <= started[0].valid_until:
        # Registered late: flagged while that first registration runs.
        problems.append(
            _("%(level)s首次登记于 %(day)s，晚于规定的 %(due)s")
            % {"level": label, "day": started[0].registered_on, "due": due}
        )
    ended = [registration for registration in started if registration.valid_until < as_of]
    if ended:
        last = max(ended, key=lambda registration: registration.valid_until)
        required = CONTINUING_EDUCATION_HOURS[level].value
        hours = last.continuing_education_hours + last.trained
        if hours < required:
            problems.append(
                _("登记期 %(start)s 至 %(end)s 继续教育 %(hours)s 学时，应 ≥ %(required)d")
                % {
                    "start": last.registered_on,
                    "end": last.valid_until,
                    "hours": hours,
                    "required": required,
                }
            )
    return problems


RULES = [
    Rule(
        code="licensed_growth_rate",
        title=gettext_lazy("持证社工人数年增长率达到目标"),
        clause="一(三)2",
        check=check_licensed_growth_rate,
    ),
    Rule(
        code="licensed_multiple_of_baseline",
        title=gettext_lazy("持证社工总量比基准年翻一番"),
        clause="一(三)2",
        check=check_licensed_multiple_of_baseline,
    ),
    Rule(
        code="licensed_per_township_min",
        title=gettext_lazy("各乡镇（街道）都有持证社工"),
        clause="一(三)2",
        check=check_licensed_per_township,
    ),
    Rule(
        code="specialist_share_min",
        title=gettext_lazy("各专业领域持证社工占比不低于下限"),
        clause="一(三)2",
        check=check_specialist_share,
    ),
    Rule(
        code="stationed_workers_per_station_actual",
        title=gettext_lazy("每站实际驻站社工人数达到下限"),
        clause="二(三)2",
        check=check_stationed_workers_actual,
    ),
    Rule(
        code="qualification_within_years",
        title=gettext_lazy("驻站社工在规定期限内取得职业资格"),
        clause="二(三)2",
        check=check_qualification_within_years,
    ),
    Rule(
        code="training_hours_per_year_min",
        title=gettext_lazy("驻站社工每年培训学时达到下限"),
        clause="二(四)3",
        check=check_training_hours,
    ),
    Rule(
        code="registration_valid",
        title=gettext_lazy("持证社工按期登记并完成继续教育"),
        clause=f"{REGISTRATION_SOURCE}、{CONTINUING_EDUCATION_SOURCE}",
        check=check_registration_valid,
    ),
]
