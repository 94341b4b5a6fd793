"""Voucher codes: 11 random digits and a Verhoeff check digit.

Verhoeff's dihedral-group check catches every single-digit error and every swap of two
adjacent digits, so a mistyped code is refused before any database lookup.
"""

import re
import secrets

CODE_LENGTH = 12

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def check_digit(digits: str) -> str:
    """The Verhoeff check digit to append to `digits`."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def is_valid(code: str) -> bool:
    """True for twelve ASCII digits whose last is the Verhoeff check digit of the rest."""
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def new_code() -> str:
    """A fresh random code (uniqueness is the database's job)."""
    body = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH - 1))
    return body + check_digit(body)


def normalize(text: str) -> str:
    """What staff typed, without spaces, dashes and dots; full-width digits made ASCII."""
    text = _SEPARATORS.sub("", text or "")
    return text.translate({0xFF10 + i: ord("0") + i for i in range(10)})


def grouped(code: str) -> str:
    """`123456789012` → `1234 5678 9012`, as printed on the voucher."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
