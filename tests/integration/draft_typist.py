"""A social worker at a visit form, for the draft recovery test: the real `FormEditor` with a
`DraftStore`, offscreen. On start it puts back a draft left by an earlier run (as the dialog
offers to), else types a companion and a situation in Tibetan and Chinese; then it keeps
typing one Tibetan syllable into the follow-up at a time, with pauses, until it is killed.

    python draft_typist.py DRAFTS_FOLDER

Prints `READY restored` or `READY new` once the form is up and the first text is typed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

KEY = "HV-01:new"
COMPANIONS = "ཚེ་རིང་དབང་འདུས། 次仁旺堆"
SITUATION = "རྒན་པ་བདེ་པོ་འདུག\n老人身体尚好，家中整洁。"
SYLLABLE = "ཀ་"
DRAFT_DELAY_MS = 40
KEY_INTERVAL_MS = 90  # longer than the draft delay: each pause writes a draft


def main(folder: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QWidget

    from station_desktop.drafts import DraftStore
    from station_desktop.forms.visit import VISIT_FORM
    from station_desktop.ui.forms.editor import FormEditor

    def type_text(widget: QWidget, text: str) -> None:
        # One key event per character, as a keyboard layout or input method delivers them.
        for ch in text:
            key, sent = (Qt.Key.Key_Return, "\r") if ch == "\n" else (Qt.Key.Key_unknown, ch)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, sent)
                )

    qt_app = QApplication(sys.argv[:1])
    store = DraftStore(Path(folder))
    editor = FormEditor(VISIT_FORM, drafts=store, draft_key=KEY, draft_delay_ms=DRAFT_DELAY_MS)
    editor.show()
    restored = editor.restore_draft()
    if not restored:
        type_text(editor.field("companions").focus_widgets()[0], COMPANIONS)
        type_text(editor.field("situation").focus_widgets()[0], SITUATION)
    follow_up = editor.field("follow_up").focus_widgets()[0]
    follow_up.setFocus()
    typing = QTimer(interval=KEY_INTERVAL_MS)
    typing.timeout.connect(lambda: type_text(follow_up, SYLLABLE))
    typing.start()
    print("READY", "restored" if restored else "new", flush=True)
    qt_app.exec()


if __name__ == "__main__":
    main(sys.argv[1])
