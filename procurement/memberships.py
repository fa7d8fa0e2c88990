"""What contractor and evaluator memberships are tied to: the organisation they act for."""

from django.utils.translation import gettext_lazy as _

from procurement.services import organisation_member_set
from stations.permissions import Role
from stations.registry import MembershipLink

MEMBERSHIP_LINKS = [
    MembershipLink(
        option="organisation",
        help=str(
            _("承接机构或第三方评估机构成员所属机构的统一社会信用代码，") + "52450202MJ00001810"
        ),
        roles=(Role.CONTRACTOR, Role.EVALUATOR),
        apply=lambda membership, value: organisation_member_set(membership=membership, uscc=value),
    ),
]
