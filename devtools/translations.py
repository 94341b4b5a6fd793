"""List and fill untranslated messages.

    python -m devtools.translations missing            # msgids without a zh_CN translation
    python -m devtools.translations fill zh.json       # {msgid: 中文} into zh_Hans_CN; en = msgid

Plural messages take a list of two strings in the JSON (zh uses the first).
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "marketplace" / "translations"


def _catalog(locale: str):
    path = ROOT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return path, read_po(handle, locale=locale.replace("_Hans", ""))


def _save(path: Path, catalog) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)


def _empty(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not all(strings)


def missing() -> list:
    _, catalog = _catalog("zh_Hans_CN")
    return [m.id for m in catalog if m.id and _empty(m)]


def fill(translations: dict) -> int:
    path, zh = _catalog("zh_Hans_CN")
    filled = 0
    for message in zh:
        if message.id and _empty(message):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key in translations:
                value = translations[key]
                message.string = (value[0],) if isinstance(message.id, tuple) else value
                message.flags.discard("fuzzy")
                filled += 1
    _save(path, zh)
    path, en = _catalog("en")
    for message in en:
        if message.id and _empty(message):
            message.string = message.id if not isinstance(message.id, tuple) else message.id
            message.flags.discard("fuzzy")
    _save(path, en)
    return filled


if __name__ == "__main__":
    if sys.argv[1:2] == ["missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif sys.argv[1:2] == ["fill"]:
        data = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        print(f"filled {fill(data)}; still missing {len(missing())}")
    else:
        print(__doc__)
