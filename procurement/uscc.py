"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of organisations.

python-stdnum checks the form and the check character. Two more parts of the
standard are checked here, so that an 18-digit resident ID number (which can
pass the final check character) is not taken for an organisation's code: the
table of registration authorities and the kinds each registers, and the check
character of the embedded organisation code (characters 9–17, GB 11714).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

# GB 32100-2015 Annex A: registration authority → the organisation kinds it registers.
AUTHORITY_KINDS = {
    "1": "1239",  # 机构编制：机关、事业单位、中央编办直接管理机构编制的群众团体、其他
    "2": "19",  # 外交：外国常驻新闻机构、其他
    "3": "123459",  # 司法行政：律师事务所、公证处、基层法律服务所、司法鉴定机构、仲裁委员会、其他
    "4": "19",  # 文化：外国在华文化中心、其他
    "5": "1239",  # 民政：社会团体、民办非企业单位（社会服务机构）、基金会、其他
    "6": "129",  # 旅游：外国旅游部门常驻代表机构、港澳台地区旅游部门常驻内地代表机构、其他
    "7": "129",  # 宗教：宗教活动场所、宗教院校、其他
    "8": "19",  # 工会：基层工会、其他
    "9": "123",  # 工商：企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室：军队事业单位、其他
    "N": "1239",  # 农业：组级、村级、乡镇级集体经济组织、其他
    "Y": "1",  # 其他
}


def uscc_normalize(value: object) -> str:
    """The code in upper case without spaces: ``52450202MJ00001810``.

    Raises ValidationError (code ``invalid_uscc``) naming the value when it is
    not 18 characters of the standard's alphabet (no I, O, Z, S, V), its check
    character is wrong, or its first two characters are not a registration
    authority and a kind that authority registers (a resident ID number, say).
    """
    text = "".join(str(value or "").split()).upper()
    message = _(
        "统一社会信用代码“%(value)s”无效：应为 18 位，由数字和大写字母组成"
        "（不含 I、O、Z、S、V），末位为校验码。"
    ) % {"value": text or str(value or "")}
    try:
        code = stdnum_uscc.validate(text)
    except StdnumError as error:
        raise ValidationError(message, code="invalid_uscc") from error
    if code[1] not in AUTHORITY_KINDS.get(code[0], "") or not _organisation_code_valid(code[8:17]):
        raise ValidationError(message, code="invalid_uscc")
    return code


def _organisation_code_valid(code: str) -> bool:
    """GB 11714's check character (the 9th) of a 9-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(char) if char.isdigit() else ord(char) - 55) * weight
        for char, weight in zip(code[:8], weights, strict=True)
    )
    remainder = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return code[8] == expected


def uscc_compose(prefix: str, organisation_code: str) -> str:
    """A valid code from its first 8 characters (authority, kind, 6-digit region) and the
    first 8 characters of the organisation code; both check characters are computed.

    For demo data and tests: ``uscc_compose("52450202", "MJ000018")`` → ``52450202MJ00001810``.
    """
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(char) if char.isdigit() else ord(char) - 55) * weight
        for char, weight in zip(organisation_code, weights, strict=True)
    )
    remainder = 11 - total % 11
    body = prefix + organisation_code + {10: "X", 11: "0"}.get(remainder, str(remainder))
    return body + stdnum_uscc.calc_check_digit(body)
