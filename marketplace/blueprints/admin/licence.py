"""A shop's business licence number as the admin checks it before approving: grouped for
reading back, whether its check character is right (and if not, what is wrong), and the
province its region code (places 3–8) names."""

from dataclasses import dataclass

from flask_babel import gettext as _

from ...labels import PROVINCE_NAMES
from ...services.uscc import grouped, normalise_uscc, uscc_problem


@dataclass(frozen=True)
class Licence:
    number: str
    grouped: str  # 911101 087700 12340G
    valid: bool
    problem: str  # "", or the message saying what is wrong
    region_code: str  # places 3–8 ("110108"), when they are digits
    province: str  # its province's name, when the code names one


def _problem(problem: str, code: str) -> str:
    if problem == "length":
        return _("It has %(length)s characters instead of 18.", length=len(code))
    if problem == "character":
        return _("It has a character no code has: I, O, S, V or Z, or a letter in places 3 to 8.")
    return _(
        "Its check character (the last) does not match the other 17: a typo, or not a real code."
    )


def licence_facts(number: str | None) -> Licence:
    code = normalise_uscc(number)
    problem = uscc_problem(code)
    region = code[2:8] if len(code) >= 8 and code[2:8].isdigit() else ""
    province = PROVINCE_NAMES.get(region[:2]) if region else None
    return Licence(
        number=code,
        grouped=grouped(code),
        valid=problem is None,
        problem="" if problem is None else _problem(problem, code),
        region_code=region,
        province=str(province) if province is not None else "",
    )
