"""The demo tenant's social workers, credentials, registrations, posts, training and
population, loaded in bulk (thousands of rows in a few statements).

柳州市 as its 2023 review reports it: 3,054 licensed social workers at the end of 2023,
0.73‰ of the city's 4,157,934 inhabitants (2020 census); 642 passed the national exam in
2022 and 917 in 2023 (some of them workers who already held the assistant level and
passed the next); twice the 2020 total by 2023 (1,527 → 3,054), growing about 25 % a
year. The plan's four specialties each above 10 %. Licensing goes on after 2023.

Every township station under a demo contract has workers stationed under it (a 站长 and
a 驻站社工, some a third), employed by the county's operator. Some records break a rule,
so that compliance has something to show: 融安县's first two stations have one worker
each (as its contract promised), a few stations only unlicensed workers, a few of whom
were stationed more than two years ago; one in ten stationed workers is short of 48 h
of training in a year; some registrations lapsed, some were never made, some periods
lacked continuing education, and some expire within 90 days of the load.

Deterministic but for the day of loading: names, numbers and dates follow each
worker's position; nothing is dated after the day the demo is loaded.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone
from stdnum.cn import ric

from procurement.models import Contract, ContractKind, ContractState
from stations.calendar import add_years
from stations.divisions import Level
from stations.models import (
    Division,
    Facility,
    FacilityLevel,
    FacilityOperatingPeriod,
    Membership,
    Tenant,
)
from stations.services.history import acting
from workforce.id_numbers import id_number_hash, id_number_mask
from workforce.models import (
    Assignment,
    AssignmentRole,
    Credential,
    CredentialLevel,
    Education,
    Population,
    Registration,
    SocialWorker,
    Specialty,
    Training,
    TrainingForm,
)

DEMO_ADMIN = "demo_city"
# Workers licensed for the first time each year (≤2020: the 1,527 of the 2020 total).
FIRST_LICENSED = {2020: 1527, 2021: 382, 2022: 534, 2023: 611, 2024: 646, 2025: 680, 2026: 1100}
# Of each year's passes, workers who already held the assistant level and passed 社会工作师:
# 2022 642 = 534 + 108, 2023 917 = 611 + 306 (the published pass counts).
UPGRADES = {2021: 40, 2022: 108, 2023: 306, 2024: 180, 2025: 150, 2026: 200}
EARLIEST_EXAM = 2010
CITY_POPULATION = (4157934, "第七次全国人口普查（2020年）")
# County shares of the city's population for the demo (not official figures).
COUNTY_SHARES = {
    "450202": 0.06, "450203": 0.11, "450204": 0.14, "450205": 0.12, "450206": 0.13,
    "450222": 0.08, "450223": 0.09, "450224": 0.07, "450225": 0.11,
}  # fmt: skip
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蓝莫"
GIVEN = (
    "丽", "敏", "静", "婷", "芳", "娟", "霞", "燕", "军", "伟", "强", "磊", "洋", "勇",
    "艳", "杰", "涛", "明", "超", "秀英", "桂兰", "志强", "海燕", "晓东", "春梅", "建华",
    "文婷", "永红", "玉兰", "家豪", "思琪", "雨涵", "梓萱", "浩然", "俊杰", "欣怡",
)  # fmt: skip
SPECIALTY_CYCLE = (
    [Specialty.SOCIAL_ASSISTANCE],
    [Specialty.ELDERLY_CARE],
    [Specialty.MINOR_PROTECTION],
    [Specialty.SOCIAL_ASSISTANCE, Specialty.ELDERLY_CARE],
    [Specialty.JUDICIAL_PROTECTION],
    [Specialty.DISABILITY],
    [Specialty.MINOR_PROTECTION, Specialty.JUDICIAL_PROTECTION],
    [Specialty.OTHER],
    [Specialty.ELDERLY_CARE],
    [Specialty.SOCIAL_ASSISTANCE, Specialty.DISABILITY],
)
EDUCATION_CYCLE = (
    Education.BACHELOR, Education.JUNIOR_COLLEGE, Education.BACHELOR,
    Education.POSTGRADUATE, Education.JUNIOR_COLLEGE, Education.HIGH_SCHOOL,
)  # fmt: skip
# Stations (their position in the county's list) whose workers are all unlicensed.
UNLICENSED_STATIONS = {"450206": (2,), "450225": (1, 3), "450226": (2,)}
# 融安县: the first contract promised one worker at its first two stations.
SINGLE_WORKER = {"450224": (0, 1)}


def demo_workforce_load(tenant: Tenant) -> str | None:
    """Load the demo workforce once; None when the tenant already has social workers or
    the demo contracts are missing."""
    if SocialWorker.objects.filter(tenant=tenant).exists():
        return None
    contracts = list(
        Contract.objects.filter(tenant=tenant, kind=ContractKind.STATION_OPERATION)
        .exclude(state=ContractState.DRAFT)
        .select_related("organisation")
        .prefetch_related("coverage__facility")
        .order_by("start_on", "number")
    )
    admin = (
        Membership.objects.select_related("user")
        .filter(tenant=tenant, user__username=DEMO_ADMIN)
        .first()
    )
    if not contracts or admin is None:
        return None
    with acting(admin.user, action="demo_workforce_load", tenant=tenant.code):
        return _Builder(tenant, contracts).build()


def _id_number(region: str, index: int) -> str:
    """A valid number of ``region`` for the ``index``-th worker: 7919 is prime to 11,000, so
    the first 11,000 workers all have different birth dates."""
    birth = datetime.date(1968, 1, 1) + datetime.timedelta(days=(index * 7919) % 11000)
    body = f"{region}{birth:%Y%m%d}{index % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class _Builder:
    def __init__(self, tenant: Tenant, contracts: list[Contract]):
        self.tenant = tenant
        self.contracts = contracts
        self.today = timezone.localdate()
        self.counties = list(
            Division.objects.filter(
                city_code=tenant.code, level=Level.COUNTY, retired_on__isnull=True
            ).order_by("code")
        )
        self.workers: list[SocialWorker] = []
        self.first_pass: dict[int, tuple[int, str]] = {}  # worker index → (year, level)

    # Workers -----------------------------------------------------------------------

    def _worker(self, county: str, employer_id: int | None, specialties) -> int:
        index = len(self.workers)
        number = _id_number(county, index)
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
        self.workers.append(
            SocialWorker(
                tenant=self.tenant,
                name=name,
                gender="male" if int(number[16]) % 2 else "female",
                id_number=number,
                id_number_hash=id_number_hash(number),
                id_number_masked=id_number_mask(number),
                birth_date=ric.get_birth_date(number),
                phone=f"1{3 + index % 7}{(index * 7321) % 10**9:09d}",
                education=EDUCATION_CYCLE[index % len(EDUCATION_CYCLE)],
                social_work_major=index % 5 < 2,
                employer_id=employer_id,
                registered_county=county,
                party_member=index % 4 == 0,
                specialties=[str(code) for code in specialties],
            )
        )
        return index

    def build(self) -> str:
        runners = self._runners()
        county_codes = [county.county_code for county in self.counties]
        # Licensed workers by the year they first passed, spread over the counties.
        position = 0
        for year, count in FIRST_LICENSED.items():
            if year > self.today.year:
                break
            for serial in range(count):
                county = county_codes[position % len(county_codes)]
                employer = runners.get(county) if position % 3 == 0 else None
                index = self._worker(
                    county, employer, SPECIALTY_CYCLE[position % len(SPECIALTY_CYCLE)]
                )
                if year == 2020:  # the 2020 total passed between 2010 and 2020
                    exam_year = EARLIEST_EXAM + serial * (2020 - EARLIEST_EXAM + 1) // count
                else:
                    exam_year = year
                level = (
                    CredentialLevel.SOCIAL_WORKER if serial % 5 == 0 else CredentialLevel.ASSISTANT
                )
                self.first_pass[index] = (exam_year, level)
                position += 1
        stationed = self._station_workers(runners)
        SocialWorker.objects.bulk_create(self.workers, batch_size=1000)
        credentials = self._credentials()
        registrations = self._registrations(credentials)
        posts = self._posts(stationed)
        trainings = self._trainings(posts)
        populations = self._population()
        licensed = len(self.first_pass)
        return (
            f"社工队伍：社会工作者 {len(self.workers)} 人（持证 {licensed} 人），证书 "
            f"{len(credentials)} 张，登记 {registrations} 次，驻站岗位 {len(posts)} 个，"
            f"培训 {trainings} 条，人口 {populations} 条"
        )

    def _runners(self) -> dict[str, int]:
        """The county's operator: the organisation of its first station contract."""
        runners: dict[str, int] = {}
        for contract in self.contracts:
            if contract.county_code:
                runners.setdefault(contract.county_code, contract.organisation_id)
        return runners

    # Posts -------------------------------------------------------------------------

    def _station_workers(self, runners: dict[str, int]) -> dict[int, list[int]]:
        """{station id: worker indexes stationed there}, choosing licensed workers of the
        county first and adding unlicensed ones where the demo needs them."""
        stations = list(
            Facility.objects.filter(tenant=self.tenant, level=FacilityLevel.TOWNSHIP_STATION)
            .order_by("county_code", "division_id")
            .values("pk", "county_code")
        )
        pool: dict[str, list[int]] = defaultdict(list)
        for index, worker in enumerate(self.workers):
            pool[worker.registered_county].append(index)
        taken: dict[str, int] = defaultdict(int)
        by_county: dict[str, int] = defaultdict(int)
        result: dict[int, list[int]] = {}
        for station in stations:
            county = station["county_code"]
            position = by_county[county]
            by_county[county] += 1
            size = 1 if position in SINGLE_WORKER.get(county, ()) else 3 if position % 4 == 0 else 2
            chosen = []
            for slot in range(size):
                unlicensed = position in UNLICENSED_STATIONS.get(county, ()) or (
                    slot == 2 and position % 8 == 0
                )
                if unlicensed:
                    specialties = SPECIALTY_CYCLE[len(self.workers) % len(SPECIALTY_CYCLE)]
                    chosen.append(self._worker(county, runners.get(county), specialties))
                else:
                    index = pool[county][taken[county]]
                    taken[county] += 1
                    self.workers[index].employer_id = runners.get(county)
                    chosen.append(index)
            result[station["pk"]] = chosen
        return result

    def _posts(self, stationed: dict[int, list[int]]) -> list[Assignment]:
        """One post per worker and station contract covering the station, from the later of
        the contract's start and the station's opening (the workers of 2021 were taken on at
        the opening, some of the unlicensed ones later)."""
        opened = dict(
            FacilityOperatingPeriod.objects.filter(tenant=self.tenant)
            .values("facility_id")
            .annotate(first=Min("started_on"))
            .values_list("facility_id", "first")
        )
        posts = []
        for contract in self.contracts:
            covered = {row.facility_id: row.facility for row in contract.coverage.all()}
            for facility_id, workers in stationed.items():
                if facility_id not in covered or facility_id not in opened:
                    continue
                start = max(contract.start_on, opened[facility_id])
                end = contract.live_until
                if start > min(end, self.today):
                    continue
                for slot, index in enumerate(workers):
                    worker = self.workers[index]
                    if index not in self.first_pass and slot == 2:
                        # A third, unlicensed worker hired recently: not yet two years on.
                        start = max(start, add_years(self.today, -1))
                        if start > end:
                            continue
                    posts.append(
                        Assignment(
                            tenant=self.tenant,
                            worker=worker,
                            facility_id=facility_id,
                            county_code=covered[facility_id].county_code,
                            role=AssignmentRole.HEAD if slot == 0 else AssignmentRole.STATIONED,
                            contract=contract,
                            started_on=start,
                            ended_on=end,
                            full_time=True,
                        )
                    )
        Assignment.objects.bulk_create(posts, batch_size=1000)
        return posts

    # Credentials and registrations -------------------------------------------------

    def _credentials(self) -> list[Credential]:
        credentials = []
        for index, (exam_year, level) in self.first_pass.items():
            credentials.append(self._credential(index, level, exam_year))
        # Upgrades: assistants who passed at least two years earlier, in worker order.
        for year, count in UPGRADES.items():
            if year > self.today.year:
                break
            candidates = [
                index
                for index, (exam_year, level) in self.first_pass.items()
                if level == CredentialLevel.ASSISTANT and exam_year <= year - 2
            ]
            step = max(1, len(candidates) // count)
            for index in candidates[::step][:count]:
                credentials.append(self._credential(index, CredentialLevel.SOCIAL_WORKER, year))
                self.first_pass[index] = (self.first_pass[index][0], CredentialLevel.SOCIAL_WORKER)
        # A few seniors among the longest licensed, recognised before 2020.
        for index in list(self.first_pass)[:600:50]:
            credentials.append(self._credential(index, CredentialLevel.SENIOR, 2019))
        return Credential.objects.bulk_create(credentials, batch_size=1000)

    def _credential(self, index: int, level: str, year: int) -> Credential:
        worker = self.workers[index]
        passed_on = datetime.date(year, 6, 20) + datetime.timedelta(days=(index * 13) % 150)
        return Credential(
            tenant=self.tenant,
            worker=worker,
            level=level,
            certificate_number=f"{level[:2].upper()}{year}{worker.registered_county}{index:05d}",
            exam_year=year,
            passed_on=min(passed_on, self.today),
        )

    def _registrations(self, credentials: list[Credential]) -> int:
        """Each credential registered two months after passing and re-registered a month
        before each expiry up to today; one in fifty never registered, one in fifty let its
        registration lapse, one in thirty lacked continuing education in a period."""
        rows = []
        for position, credential in enumerate(credentials):
            if position % 50 == 7 and credential.passed_on < add_years(self.today, -1):
                continue  # never registered
            registered = credential.passed_on + datetime.timedelta(days=60)
            until = add_years(registered, 3) - datetime.timedelta(days=1)
            hours = Decimal(96)
            while registered <= self.today:
                if position % 30 == 11:
                    hours = Decimal(40)
                rows.append(
                    Registration(
                        tenant=self.tenant,
                        credential=credential,
                        registered_on=registered,
                        valid_until=until,
                        continuing_education_hours=hours,
                    )
                )
                if position % 50 == 23:
                    break  # lapsed after the first period
                registered = until - datetime.timedelta(days=30)
                until = add_years(until + datetime.timedelta(days=1), 3) - datetime.timedelta(1)
                hours = Decimal(96)
        Registration.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    # Training and population -------------------------------------------------------

    def _trainings(self, posts: list[Assignment]) -> int:
        """Four courses a year for each stationed worker from the year they were first
        stationed, 12–16 hours each (one in ten workers does only two)."""
        first_year: dict[int, int] = {}
        for post in posts:
            worker_id = post.worker.pk
            first_year[worker_id] = min(first_year.get(worker_id, 9999), post.started_on.year)
        courses = (
            "社会救助政策与实务",
            "儿童保护与个案管理",
            "养老服务与长者社工",
            "社区治理与五社联动",
        )
        rows = []
        for worker_id, start in sorted(first_year.items()):
            for year in range(start, self.today.year + 1):
                count = 2 if worker_id % 10 == 3 else 4
                for serial in range(count):
                    held_on = datetime.date(year, 2 + serial * 3, 10 + worker_id % 15)
                    if held_on > self.today:
                        break
                    rows.append(
                        Training(
                            tenant=self.tenant,
                            worker_id=worker_id,
                            course=courses[serial],
                            provider="柳州市社会工作发展中心",
                            held_on=held_on,
                            hours=Decimal(12 + (worker_id + serial) % 5),
                            form=TrainingForm.ONLINE if serial % 2 else TrainingForm.OFFLINE,
                            certificate_number=f"PX{year}{worker_id:05d}{serial}",
                        )
                    )
        Training.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def _population(self) -> int:
        city_total, source = CITY_POPULATION
        city = Division.objects.get(code=self.tenant.code.ljust(12, "0"))
        rows = [
            Population(
                tenant=self.tenant, division=city, year=2020, population=city_total, source=source
            )
        ]
        remaining = city_total
        for county in self.counties:
            share = COUNTY_SHARES.get(county.county_code)
            figure = round(city_total * share) if share is not None else remaining
            remaining -= figure
            rows.append(
                Population(
                    tenant=self.tenant,
                    division=county,
                    year=2020,
                    population=figure,
                    source="演示数据（按县估算，非官方数字）",
                )
            )
        Population.objects.bulk_create(rows)
        return len(rows)


DEMO_STEPS = [demo_workforce_load]
