"""What was typed is offered back after a crash or a power cut: a real editor process is
killed with SIGKILL while it types, and its draft must be whole and hold the typing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from station_desktop.drafts import BAD_SUFFIX, Draft, DraftStore
from station_desktop.store.files import TEMP_SUFFIX

TYPIST = Path(__file__).with_name("draft_typist.py")
ROOT = Path(__file__).parents[2]
KEY = "HV-01:new"
COMPANIONS = "ཚེ་རིང་དབང་འདུས། 次仁旺堆"
SITUATION = "རྒན་པ་བདེ་པོ་འདུག\n老人身体尚好，家中整洁。"
SYLLABLE = "ཀ་"
KILLS = 3
WAIT_S = 30.0


def _wait_for(
    store: DraftStore, check: Callable[[Draft], bool], process: subprocess.Popen[str]
) -> Draft:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        draft = store.load(KEY)
        if draft is not None and check(draft):
            return draft
        assert process.poll() is None, "the typist died on its own"
        time.sleep(0.01)
    raise AssertionError("no draft was written in time")


def _type_and_kill(folder: Path, typed_before: str, rng: random.Random) -> str:
    """Run the typist until it has saved more than `typed_before` in the follow-up, kill it
    at a random moment after, and return what the draft then holds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    store = DraftStore(folder)
    with subprocess.Popen(
        [sys.executable, str(TYPIST), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as typist:
        try:
            assert typist.stdout is not None and typist.stderr is not None
            ready = typist.stdout.readline().split()
            assert ready[:1] == ["READY"], typist.stderr.read()
            # Every run after the first finds the draft and puts it back, as after a crash.
            assert ready[1] == ("restored" if typed_before else "new")
            _wait_for(store, lambda d: len(str(d.values["follow_up"])) > len(typed_before), typist)
            # Killed wherever it happens to be: typing, or in the middle of writing a draft.
            time.sleep(rng.uniform(0.0, 0.25))
            typist.kill()
            typist.wait(timeout=10)
        finally:
            if typist.poll() is None:
                typist.kill()
                typist.wait(timeout=10)
        if os.name == "posix":
            assert typist.returncode == -signal.SIGKILL
    draft = store.load(KEY)
    assert draft is not None, "the draft was lost or broken by the kill"
    assert draft.values["companions"] == COMPANIONS
    assert draft.values["situation"] == SITUATION
    follow_up = str(draft.values["follow_up"])
    assert follow_up.startswith(typed_before)  # nothing saved before the crash went missing
    assert follow_up == SYLLABLE * (len(follow_up) // len(SYLLABLE))  # whole syllables only
    return follow_up


@pytest.mark.slow
def test_typing_is_offered_back_after_the_process_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    rng = random.Random(20260601)
    typed = ""
    for _ in range(KILLS):
        typed = _type_and_kill(folder, typed, rng)
    assert len(typed) > KILLS * len(SYLLABLE)
    store = DraftStore(folder)
    assert [d.key for d in store.all()] == [KEY]
    assert list(folder.glob(f"*{BAD_SUFFIX}")) == []  # never a broken draft
    # A kill mid-write may leave a temporary file; it is never taken for a draft.
    assert all(p.name.endswith(TEMP_SUFFIX) for p in folder.glob(".*"))
