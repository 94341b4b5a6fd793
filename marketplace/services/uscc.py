"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters that name a
company or other organisation in mainland China, and serve as its taxpayer id on invoices.

Layout: registration authority (1), organisation kind (1), administrative region (6 digits),
organisation code (9), check character (1). The characters come from 0-9 and the capital
letters without I, O, S, V and Z; the check character is 31 − (Σ value × weight mod 31),
written with the same alphabet (31 is written 0).
"""

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
FORMAT_RE = re.compile(rf"^[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}$")
_SPACES_RE = re.compile(r"\s+")


def normalise_uscc(code: str | None) -> str:
    """The code as typed, without spaces and in capitals (full-width characters, as a
    Chinese input method types them, become their ASCII forms)."""
    folded = unicodedata.normalize("NFKC", code or "")
    return _SPACES_RE.sub("", folded).upper()


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (which must be in the alphabet)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """What is wrong with `code` (already normalised): "length" (not 18 characters),
    "character" (a character out of the alphabet, or a letter in the region's six digits),
    "check" (the check character does not match); None when it is a valid code."""
    if not isinstance(code, str) or len(code) != LENGTH:
        return "length"
    if not FORMAT_RE.match(code):
        return "character"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def grouped(code: str) -> str:
    """The code in three groups of six, as easier to read back: 911101 087700 12340G."""
    return " ".join(code[i : i + 6] for i in range(0, len(code), 6))


def valid_uscc(code: str) -> bool:
    """Whether `code` (already normalised) is a well-formed code with the right check
    character."""
    if not isinstance(code, str) or not FORMAT_RE.match(code):
        return False
    return check_character(code[:17]) == code[17]
