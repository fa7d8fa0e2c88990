"""Running the compliance rules every app declares (stations.registry.rules()).

The runner never reimplements a rule: it asks each one for its result on the
division and day, and keeps the order in which the apps declared them.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from stations.models import Division
from stations.registry import Rule, RuleResult, rules
from stations.scoping import Scope

# Rules are checked for a city or a county (the plan's targets are set at those levels).
COMPLIANCE_LEVELS = ("city", "county")


@dataclass
class RuleOutcome:
    rule: Rule
    result: RuleResult


@dataclass
class Compliance:
    division: Division
    as_of: datetime.date
    outcomes: list[RuleOutcome]

    @property
    def failed(self) -> list[RuleOutcome]:
        return [outcome for outcome in self.outcomes if outcome.result.passed is False]

    @property
    def passed(self) -> list[RuleOutcome]:
        return [outcome for outcome in self.outcomes if outcome.result.passed]


def compliance_run(
    scope: Scope,
    division: Division,
    as_of: datetime.date,
    only: Collection[str] | None = None,
) -> Compliance:
    """Every rule's result for ``division`` (a city or county inside ``scope``) on ``as_of``;
    with ``only``, just the rules of those codes (in the declared order)."""
    return Compliance(
        division=division,
        as_of=as_of,
        outcomes=[
            RuleOutcome(rule, rule.check(scope, division, as_of))
            for rule in rules()
            if only is None or rule.code in only
        ],
    )


def compliance_as_dict(compliance: Compliance) -> dict:
    """The API shape: ``{"division", "as_of", "rules": [{"code", "title", "clause",
    "passed", "expected", "actual", "note", "findings": [{"subject", "division",
    "expected", "actual"}]}]}``. ``passed`` is null when a rule does not apply."""
    return {
        "division": compliance.division.short_code,
        "as_of": compliance.as_of.isoformat(),
        "rules": [
            {
                "code": outcome.rule.code,
                "title": str(outcome.rule.title),
                "clause": outcome.rule.clause,
                "passed": outcome.result.passed,
                "expected": str(outcome.result.expected),
                "actual": str(outcome.result.actual),
                "note": str(outcome.result.note),
                "findings": [
                    {
                        "subject": finding.subject,
                        "division": finding.division,
                        "expected": str(finding.expected),
                        "actual": str(finding.actual),
                    }
                    for finding in outcome.result.findings
                ],
            }
            for outcome in compliance.outcomes
        ],
    }
