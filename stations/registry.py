"""What apps plug into the platform: compliance rules, report kinds, import kinds, collected once.

Each app declares its rules in ``<app>/compliance.py`` (``RULES``, a list of
``Rule``), its report kinds in ``<app>/reports.py`` (``REPORT_KINDS``, a
list of ``ReportKind``), its spreadsheet imports in ``<app>/imports.py``
(``IMPORT_KINDS``, a list of ``ImportKind``) and what some roles' memberships
are tied to in ``<app>/memberships.py`` (``MEMBERSHIP_LINKS``), its demo data in
``<app>/demo.py`` (``DEMO_STEPS``), sections of the division page in
``<app>/panels.py`` (``DIVISION_PANELS``) and what a user has to do this month
in ``<app>/todos.py`` (``TODO_SOURCES``). ``rules()``, ``report_kinds()``
and ``import_kinds()`` import those
modules from every installed app, in INSTALLED_APPS order, and keep the
result. The types live here, in the lowest app, so every app can declare
without importing a higher one; the ``reports`` app runs the rules and
renders the kinds, and never reimplements them.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

if TYPE_CHECKING:
    from stations.models import Division, Membership
    from stations.scoping import Scope
    from stations.spreadsheets.importing import ImportResult, Progress
    from stations.spreadsheets.spec import SheetSpec

Text = str | Promise


@dataclass(frozen=True)
class Finding:
    """One offending record of a rule: what, where, and the figure that fails.

    ``subject`` names the record (a station, a county, a worker, a contract,
    a month); ``division`` is its division's short code; ``expected`` and
    ``actual`` are the figures as a person reads them; ``url`` links to it.
    """

    subject: str
    division: str
    expected: str
    actual: str
    url: str = ""


@dataclass
class RuleResult:
    """The outcome of one rule for a scope and a day.

    ``passed`` is None when the rule does not apply (a city without counties,
    a year before the rule starts); ``note`` then says why.
    """

    passed: bool | None
    expected: str
    actual: str
    findings: list[Finding] = field(default_factory=list)
    note: str = ""


RuleCheck = Callable[["Scope", "Division", datetime.date], RuleResult]


@dataclass(frozen=True)
class Rule:
    """A rule of the plan: code, title, clause, and a check(scope, division, as_of).

    ``division`` is the city or county the check is for (inside ``scope``);
    thresholds come from the tenant's policy values, never from the check's code.
    The check runs a number of queries that does not grow with the records.
    """

    code: str
    title: Text
    clause: str
    check: RuleCheck


@dataclass(frozen=True)
class ReportKind:
    """A kind of background file: declared once, the jobs form and API are built from it.

    ``parameters`` are the names the kind takes besides the division
    (``as_of``, ``format``); ``formats`` the file formats it renders;
    ``may_request(membership)`` a capability from a permissions module;
    ``producer(job, progress)`` returns ``(file name, bytes)``; ``division_levels``
    the levels its division may be; ``is_report`` lists it under /api/v1/reports/;
    ``title`` names its downloaded file (``柳州市-<title>-2023-12-31.pdf``), the label
    when not given.
    """

    code: str
    label: Text
    parameters: tuple[str, ...]
    formats: tuple[str, ...]
    may_request: Callable[[Membership], bool]
    producer: Callable[[Any, Callable[[int], None]], tuple[str, bytes]]
    division_levels: tuple[str, ...] = ("city", "county")
    is_report: bool = True
    title: Text | None = None


class ImportRun(Protocol):
    """An app's import: ``run(actor, rows, commit=, mode=, expected=, progress=)``."""

    def __call__(
        self,
        actor: Membership,
        rows: list[dict],
        *,
        commit: bool,
        mode: str = "upsert",
        expected: str | None = None,
        progress: Progress | None = None,
    ) -> ImportResult: ...


@dataclass(frozen=True)
class ImportKind:
    """A kind of record that spreadsheets import: the upload page, the API and the job use it.

    ``spec`` is the sheet spec (columns, natural key, sheet name); ``run`` the
    app's all-or-nothing import over its batch services (a preview when
    ``commit`` is false); ``may_import(membership)`` a capability;
    ``template(membership)`` the empty template's bytes for that scope;
    ``list_url`` and ``upload_url`` the URL names of the records' list page
    and of the upload page; ``noun`` what one row is (站点, 社工…).
    """

    code: str
    label: Text
    noun: Text
    spec: SheetSpec
    run: ImportRun
    may_import: Callable[[Membership], bool]
    template: Callable[[Membership], bytes]
    list_url: str
    upload_url: str


@dataclass(frozen=True)
class MembershipLink:
    """What a membership of some roles must be tied to, declared by the app that owns it
    (procurement: the organisation a contractor or evaluator acts for).

    ``option`` is the ``add_member`` option (``--organisation``), ``help`` its
    help text, ``roles`` the roles that require it, ``apply(membership, value)``
    ties the membership and raises ValidationError for a value it refuses.
    """

    option: str
    help: str
    roles: tuple[str, ...]
    apply: Callable[[Membership, str], Any]


@dataclass(frozen=True)
class DivisionPanel:
    """A section a later app adds to a division's page (procurement: the county's stations
    without a live contract and its contracts ending soon).

    ``levels`` are the division levels it appears on; ``context(scope, division)`` returns
    the template's context, or None to leave the panel out; ``template`` renders it.
    """

    template: str
    levels: tuple[str, ...]
    context: Callable[[Scope, Division], dict | None]


@dataclass(frozen=True)
class TodoItem:
    """One thing a user has to do (the home's to-do list; alerts are made of them).

    ``source`` is its TodoSource's code and ``key`` names the record within it
    (``"facility:12"``, ``"contract:3:2024-03"``): the two identify the item from one
    day to the next. ``text`` says what it is in the user's language, ``url`` where to
    act, ``due`` the day it is due when it has one.
    """

    source: str
    key: str
    text: str
    url: str
    due: datetime.date | None = None


@dataclass(frozen=True)
class TodoSource:
    """A kind of to-do item an app contributes (procurement: stations without a live
    contract…): ``title`` heads its group, ``audience(membership)`` (a capability of a
    ``permissions`` module) says who gets it, and ``items(membership, today)`` lists them
    within the membership's scope, in a fixed number of queries."""

    code: str
    title: Text
    audience: Callable[[Membership], bool]
    items: Callable[[Membership, datetime.date], list[TodoItem]]


def _collect(module_name: str, attribute: str) -> list:
    collected: list = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{module_name}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        collected.extend(getattr(module, attribute, ()))
    return collected


@functools.cache
def rules() -> tuple[Rule, ...]:
    """Every app's rules, in INSTALLED_APPS order; a code declared twice is an error."""
    found = tuple(_collect("compliance", "RULES"))
    codes = [rule.code for rule in found]
    duplicated = {code for code in codes if codes.count(code) > 1}
    if duplicated:
        raise ImproperlyConfigured(f"rule codes declared twice: {sorted(duplicated)}")
    return found


@functools.cache
def report_kinds() -> dict[str, ReportKind]:
    """Every app's report kinds by code; a code declared twice is an error."""
    kinds: dict[str, ReportKind] = {}
    for kind in _collect("reports", "REPORT_KINDS"):
        if kind.code in kinds:
            raise ImproperlyConfigured(f"report kind {kind.code!r} declared twice")
        kinds[kind.code] = kind
    return kinds


@functools.cache
def import_kinds() -> dict[str, ImportKind]:
    """Every app's import kinds by code; a code declared twice is an error."""
    kinds: dict[str, ImportKind] = {}
    for kind in _collect("imports", "IMPORT_KINDS"):
        if kind.code in kinds:
            raise ImproperlyConfigured(f"import kind {kind.code!r} declared twice")
        kinds[kind.code] = kind
    return kinds


@functools.cache
def membership_links() -> tuple[MembershipLink, ...]:
    """Every app's membership links (``<app>/memberships.py`` ``MEMBERSHIP_LINKS``)."""
    return tuple(_collect("memberships", "MEMBERSHIP_LINKS"))


@functools.cache
def demo_steps() -> tuple[Callable[[Any], str | None], ...]:
    """Every later app's demo loaders (``<app>/demo.py`` ``DEMO_STEPS``), in INSTALLED_APPS
    order: each takes the demo tenant, loads its records once and returns a line saying
    what it did (None when there was nothing to do)."""
    return tuple(_collect("demo", "DEMO_STEPS"))


@functools.cache
def division_panels() -> tuple[DivisionPanel, ...]:
    """Every later app's division page panels (``<app>/panels.py`` ``DIVISION_PANELS``)."""
    return tuple(_collect("panels", "DIVISION_PANELS"))


@functools.cache
def todo_sources() -> tuple[TodoSource, ...]:
    """Every app's to-do sources (``<app>/todos.py`` ``TODO_SOURCES``), in INSTALLED_APPS
    order; a code declared twice is an error."""
    found = tuple(_collect("todos", "TODO_SOURCES"))
    codes = [source.code for source in found]
    duplicated = {code for code in codes if codes.count(code) > 1}
    if duplicated:
        raise ImproperlyConfigured(f"to-do codes declared twice: {sorted(duplicated)}")
    return found
