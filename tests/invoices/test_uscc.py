"""The unified social credit code (GB 32100-2015): format and check character."""

import pytest

from marketplace.services.uscc import ALPHABET, check_character, normalise_uscc, valid_uscc

from ..conftest import LICENCES

VALID = [
    "91110108770012340G",  # company (9 1), Beijing Haidian
    "121000004000137204",  # public institution (1 2), check character 4
    "52310000501580000N",  # social organisation (5 2), Shanghai
    "92320500780000000N",  # individual business (9 2), Suzhou
    "91310115MA1K000190",  # letters in the organisation code; check 31 is written 0
    "91320594MA1M00015Y",  # check character Y (30)
    "Y1440300MA5GQ3T007",  # authority "other" (Y)
    *LICENCES,  # the test shops' licences
]

INVALID = [
    ("91110108770012340H", "wrong check character"),
    ("91310115MA1K000191", "check 31 must be written 0"),
    ("91320594MA1M00015X", "wrong check letter"),
    ("91310115MI1K000190", "letter I"),
    ("91310115MO1K000190", "letter O"),
    ("91310115MZ1K000190", "letter Z"),
    ("91310115MS1K000190", "letter S"),
    ("91310115MV1K000190", "letter V"),
    ("91310115MA1K00019", "17 characters"),
    ("91310115MA1K0001900", "19 characters"),
    ("", "empty"),
    ("91A10115MA1K00019Y", "a letter in the region code (check character right)"),
    ("91320594ma1m00015y", "lower case (the normaliser upper-cases it)"),
    ("9132 0594 MA1M 0001 5Y", "spaces (the normaliser removes them)"),
    ("９１３２０５９４ＭＡ１Ｍ００015Y", "full-width (the normaliser folds them)"),
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert valid_uscc(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(("code", "why"), INVALID, ids=[why for _, why in INVALID])
def test_invalid_codes(code, why):
    assert not valid_uscc(code), why


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("91320594ma1m00015y", "91320594MA1M00015Y"),
        (" 9132 0594 MA1M 0001 5Y\t", "91320594MA1M00015Y"),
        ("９１３２０５９４ＭＡ１Ｍ００015Y", "91320594MA1M00015Y"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_normaliser_strips_spaces_and_upper_cases(typed, normalised):
    assert normalise_uscc(typed) == normalised
    assert not normalised or valid_uscc(normalised)


def test_every_single_character_typo_is_caught():
    """Changing any one character of a valid code to another of the alphabet fails the check."""
    code = "91310115MA1K000190"
    for position in range(18):
        for other in ALPHABET:
            if other != code[position]:
                typo = code[:position] + other + code[position + 1 :]
                assert not valid_uscc(typo), typo


def test_not_a_string_is_not_valid():
    assert not valid_uscc(None)  # type: ignore[arg-type]
    assert not valid_uscc(911101087700123400)  # type: ignore[arg-type]
