"""Voucher codes: the check digit catches every single-digit error and adjacent swap."""

from hypothesis import given
from hypothesis import strategies as st

from marketplace.services import codes

bodies = st.text(alphabet="0123456789", min_size=11, max_size=11)


def test_known_verhoeff_values():
    # the textbook example: 236 → check digit 3
    assert codes.check_digit("236") == "3"
    assert codes.check_digit("12345") == "1"


def test_new_codes_are_valid_and_differ():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    assert all(codes.is_valid(code) and len(code) == 12 for code in made)


@given(bodies, st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_error_is_caught(body, position, shift):
    code = body + codes.check_digit(body)
    wrong = str((int(code[position]) + shift) % 10)
    typo = code[:position] + wrong + code[position + 1 :]
    assert codes.is_valid(code)
    assert not codes.is_valid(typo)


@given(bodies, st.integers(0, 10))
def test_any_adjacent_swap_is_caught(body, position):
    code = body + codes.check_digit(body)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not codes.is_valid(swapped)


def _sample_codes():
    """Codes with every digit pair at every adjacent position (zeros elsewhere)."""
    for a in "0123456789":
        for b in "0123456789":
            for position in range(10):
                body = ("0" * position + a + b + "0" * 9)[:11]
                yield body + codes.check_digit(body)
        yield "0" * 10 + a + codes.check_digit("0" * 10 + a)


def test_every_adjacent_swap_at_every_position_is_caught():
    # deterministic and exhaustive over positions and digit pairs: a wrong permutation
    # table once let `000000007004` through as `000000070004`
    checked = 0
    for code in _sample_codes():
        for position in range(11):
            if code[position] == code[position + 1]:
                continue
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            assert not codes.is_valid(swapped), (code, swapped)
            checked += 1
    assert checked > 1000


def test_shapes_that_are_not_codes():
    for text in ("", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"):
        assert not codes.is_valid(text)


def test_normalize_drops_separators_and_widens_digits():
    assert codes.normalize(" 1234-5678 9012 ") == "123456789012"
    assert codes.normalize("１２３４.５６７８_９０１２") == "123456789012"
    assert codes.grouped("123456789012") == "1234 5678 9012"
