"""Catalog names as the catalog stores them: whitespace normalised, with their pinyin.

Used by the catalog build script and by `catalog import`, so a series loaded from an
operator's file is found by the same pinyin as a bundled one.
"""

import re

from pypinyin import lazy_pinyin

# In car names 长 is read cháng (长安, 长城, 欧尚长行), never zhǎng; a few phrases are also
# misread by pypinyin's default dictionary.
PHRASES = {"长行": ("chang", "xing"), "甲壳虫": ("jia", "ke", "chong")}
READINGS = {"长": "chang"}

# Readings checked by eye; the build fails if pypinyin ever changes them.
PINYIN_CHECKS = {
    "长安": "changan",
    "长城": "changcheng",
    "欧尚长行": "oushangchangxing",
    "重庆": "chongqing",
    "传祺": "chuanqi",
    "蔚来": "weilai",
    "哪吒汽车": "nezhaqiche",
    "甲壳虫": "jiakechong",
    "丰田": "fengtian",
    "奇瑞": "qirui",
    "东风风行": "dongfengfengxing",
    "乐驰": "lechi",
}

_HAN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Trim and collapse runs of whitespace."""
    return _SPACES.sub(" ", text or "").strip()


def _syllables(run: str) -> list[str]:
    for phrase, readings in PHRASES.items():
        if phrase in run:
            before, _, after = run.partition(phrase)
            return [*_syllables(before), *readings, *_syllables(after)]
    syllables = lazy_pinyin(run)
    if len(syllables) != len(run):  # characters without a reading come back grouped
        return syllables
    return [READINGS.get(char, syllable) for char, syllable in zip(run, syllables, strict=True)]


def to_pinyin(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials); Latin letters and digits are kept whole."""
    full: list[str] = []
    initials: list[str] = []
    pos = 0
    for m in _HAN.finditer(name):
        for word in _WORD.findall(name[pos : m.start()].lower()):
            full.append(word)
            initials.append(word)
        for syllable in _syllables(m.group()):
            full.append(syllable)
            initials.append(syllable[:1])
        pos = m.end()
    for word in _WORD.findall(name[pos:].lower()):
        full.append(word)
        initials.append(word)
    return "".join(full), "".join(initials)


def check_readings() -> list[str]:
    """The checked readings pypinyin no longer gives (empty when all hold)."""
    return [
        f"{name} -> {to_pinyin(name)[0]}, expected {expected}"
        for name, expected in PINYIN_CHECKS.items()
        if to_pinyin(name)[0] != expected
    ]
