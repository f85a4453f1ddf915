"""Fill the bo and zh_CN catalogues from a JSON file of translations (a translator's or a
helper's work): {msgid: {"zh_CN": ..., "bo": ..., "bo_comment": ...}}. Entries already
translated are left alone unless --replace is given. Run scripts/catalogues.sh update first.

    .venv/bin/python scripts/apply_translations.py translations.json [--replace]
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    source = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    replace = "--replace" in argv
    for language in ("bo", "zh_CN"):
        path = ROOT / "i18n" / language / "LC_MESSAGES" / "station_desktop.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        filled = 0
        for message in catalogue:
            entry = source.get(message.id) if isinstance(message.id, str) else None
            if not entry or (message.string and not replace):
                continue
            message.string = entry[language]
            comment = entry.get(f"{language}_comment")
            if comment and comment not in message.user_comments:
                message.user_comments = [comment]
            filled += 1
        out = io.BytesIO()
        write_po(out, catalogue, width=None, no_location=True, sort_output=True,
                 include_lineno=False)  # fmt: skip
        path.write_bytes(out.getvalue())
        print(f"{language}: {filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
