"""National rules of the social work qualification system: platform policy, not a city's.

Every city applies the same values, so they are kept here with their source rather than
in a tenant's policy values (DESIGN.md §5, "National rules").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# 民发〔2009〕44号《社会工作者职业水平证书登记办法》
REGISTRATION_SOURCE = "民发〔2009〕44号"
# 民发〔2009〕123号《社会工作者继续教育办法》
CONTINUING_EDUCATION_SOURCE = "民发〔2009〕123号"


@dataclass(frozen=True)
class NationalRule:
    code: str
    title: object
    value: int
    source: str


FIRST_REGISTRATION_WITHIN_YEARS = NationalRule(
    "first_registration_within_years", _("取得证书后首次登记期限（年）"), 1, REGISTRATION_SOURCE
)
REGISTRATION_VALID_YEARS = NationalRule(
    "registration_valid_years", _("每次登记有效期（年）"), 3, REGISTRATION_SOURCE
)
REREGISTRATION_WINDOW_MONTHS = NationalRule(
    "reregistration_window_months",
    _("有效期届满前可申请再登记的期间（月）"),
    3,
    REGISTRATION_SOURCE,
)
# Continuing-education hours per registration period, by credential level.
CONTINUING_EDUCATION_HOURS = {
    "assistant": NationalRule(
        "continuing_education_hours_assistant",
        _("助理社会工作师每个登记有效期内继续教育学时"),
        72,
        CONTINUING_EDUCATION_SOURCE,
    ),
    "social_worker": NationalRule(
        "continuing_education_hours_social_worker",
        _("社会工作师每个登记有效期内继续教育学时"),
        90,
        CONTINUING_EDUCATION_SOURCE,
    ),
    "senior": NationalRule(
        "continuing_education_hours_senior",
        _("高级社会工作师每个登记有效期内继续教育学时"),
        90,
        CONTINUING_EDUCATION_SOURCE,
    ),
}
