"""Drafts on disk: exact round trips in any script, safe file names, damaged files set aside,
interrupted and concurrent writes never leave a broken draft."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.drafts import BAD_SUFFIX, Draft, DraftStore, DraftValue
from station_desktop.store.files import TEMP_SUFFIX
from tests.conftest import FakeClock

TIBETAN = "བཀྲ་ཤིས་བདེ་ལེགས། སྒྲོལ་མ་ཚེ་རིང་། ཀླུ་སྒྲུབ་རྒྱ་མཚོ།"
CHINESE = "扎西次仁，家住冲赛康社区。"
RARE = "𠀋𪚥𡈽 e\u0301 \u200d\u0f40\u0fb2\u0f71\u0f7c ＡＢ ¥ \U0001f600"

# Text people may type, weighted towards the scripts the stations use: Tibetan (with its
# stacked subjoined letters), CJK (including supplementary-plane characters), and anything.
_tibetan = st.characters(min_codepoint=0x0F00, max_codepoint=0x0FFF)
_cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.characters(
    min_codepoint=0x20000, max_codepoint=0x2A6DF
)
_any = st.characters(codec="utf-8")
texts = st.text(alphabet=_tibetan | _cjk | _any, max_size=60)
values_strategy = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.none() | texts | st.lists(texts, max_size=4),
    max_size=8,
)


def _store(tmp_path: Path, clock: FakeClock | None = None) -> DraftStore:
    return DraftStore(tmp_path / "drafts", clock=clock or FakeClock())


def _only_draft_file(store: DraftStore) -> Path:
    files = list(store.folder.iterdir())
    assert len(files) == 1, files
    return files[0]


def test_a_draft_reads_back_exactly(tmp_path: Path) -> None:
    clock = FakeClock()
    store = _store(tmp_path, clock)
    values: dict[str, DraftValue] = {
        "situation": f"{TIBETAN}\n{CHINESE}",
        "services": ["visit_checkin", "mediation"],
        "resident_id": None,
        "companions": "",
    }
    store.save("HV-01:new", "HV-01", 1, values)
    assert store.load("HV-01:new") == Draft("HV-01:new", "HV-01", 1, clock.now, values)


def test_the_file_is_readable_utf8_json_named_by_a_hash(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key = "resident:扎西次仁:ཀླུ་སྒྲུབ"
    store.save(key, "RES-01", 1, {"name_zh": CHINESE})
    path = _only_draft_file(store)
    assert path == store.path_for(key)
    assert "扎西" not in path.name and "ཀླུ" not in path.name  # no names in a folder listing
    assert path.name.isascii() and path.suffix == ".json"
    text = path.read_bytes().decode("utf-8")
    assert CHINESE in text  # a person can still rescue it with a text editor
    assert json.loads(text)["values"] == {"name_zh": CHINESE}


@given(key=st.text(max_size=300), values=values_strategy)
def test_any_key_and_values_round_trip(
    tmp_path: Path, key: str, values: dict[str, DraftValue]
) -> None:
    store = _store(tmp_path)
    store.save(key, "SF-01", 1, values)
    loaded = store.load(key)
    assert loaded is not None and loaded.key == key and loaded.values == values
    name = store.path_for(key).name
    # Safe on Windows and Linux whatever the key: short, plain ASCII, no reserved characters.
    assert len(name) < 60 and name.isascii()
    assert not set(name) & set('<>:"/\\|?*')
    store.discard(key)
    assert store.load(key) is None


def test_rare_characters_and_lone_surrogates_survive(tmp_path: Path) -> None:
    store = _store(tmp_path)
    broken = "ཀ\ud800ཁ"  # what a broken input method may deliver
    key = f"k{broken}"
    store.save(key, "HV-01", 1, {"a": RARE, "b": broken, "c": [RARE, broken]})
    loaded = store.load(key)
    assert loaded is not None and loaded.key == key
    assert loaded.values == {"a": RARE, "b": broken, "c": [RARE, broken]}
    store.path_for(key).read_bytes().decode("utf-8")  # still valid UTF-8 on disk


def test_saving_again_replaces_the_draft(tmp_path: Path) -> None:
    clock = FakeClock()
    store = _store(tmp_path, clock)
    store.save("k", "HV-01", 1, {"situation": "ཀ"})
    clock.advance(seconds=5)
    store.save("k", "HV-01", 1, {"situation": "ཀཁ"})
    loaded = store.load("k")
    assert loaded is not None and loaded.values == {"situation": "ཀཁ"}
    assert loaded.saved_at == clock.now
    assert [p.name for p in store.folder.iterdir()] == [store.path_for("k").name]


def test_all_lists_the_newest_first_and_discard_forgets(tmp_path: Path) -> None:
    clock = FakeClock()
    store = _store(tmp_path, clock)
    assert store.all() == []  # no folder yet
    for key in ("first", "second", "third"):
        store.save(key, "HV-01", 1, {"k": key})
        clock.advance(minutes=1)
    assert [d.key for d in store.all()] == ["third", "second", "first"]
    store.discard("second")
    store.discard("second")  # twice, or never saved: no error
    store.discard("never")
    assert [d.key for d in store.all()] == ["third", "first"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b'{"format": 1, "key": "k", "form_code": "HV-01", "form_vers',  # cut off mid-write
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"format": 99, "key": "k", "form_code": "X", "form_version": 1,'
        b' "saved_at": "2026-06-01T08:00:00+00:00", "values": {}}',
        b'{"format": 1, "key": "k", "form_code": "X", "form_version": "1",'
        b' "saved_at": "2026-06-01T08:00:00+00:00", "values": {}}',
        b'{"format": 1, "key": "k", "form_code": "X", "form_version": 1,'
        b' "saved_at": "yesterday", "values": {}}',
        b'{"format": 1, "key": "k", "form_code": "X", "form_version": 1,'
        b' "saved_at": "2026-06-01T08:00:00+00:00", "values": {"a": 5}}',
    ],
    ids=[
        "empty",
        "truncated",
        "not-utf8",
        "not-an-object",
        "newer-format",
        "bad-version",
        "bad-time",
        "bad-value",
    ],
)
def test_a_damaged_draft_is_set_aside_never_raised(tmp_path: Path, content: bytes) -> None:
    store = _store(tmp_path)
    store.save("good", "HV-01", 1, {"situation": TIBETAN})
    store.path_for("k").write_bytes(content)
    assert store.load("k") is None
    assert not store.path_for("k").exists()
    kept = [p for p in store.folder.iterdir() if p.name.endswith(BAD_SUFFIX)]
    assert len(kept) == 1 and kept[0].read_bytes() == content  # kept for a person to look at
    assert [d.key for d in store.all()] == ["good"]
    store.save("k", "HV-01", 1, {"a": "again"})  # the key is usable again
    assert store.load("k") is not None


def test_all_skips_damaged_files(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.save("good", "HV-01", 1, {})
    store.path_for("bad").write_text("{not json", encoding="utf-8")
    assert [d.key for d in store.all()] == ["good"]
    assert len(list(store.folder.glob(f"*{BAD_SUFFIX}"))) == 1


def test_a_crash_before_the_rename_leaves_the_old_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    store.save("k", "HV-01", 1, {"situation": "old ཀ"})

    def power_cut(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="No space"):
        store.save("k", "HV-01", 1, {"situation": "new ཁ"})
    monkeypatch.undo()
    loaded = store.load("k")
    assert loaded is not None and loaded.values == {"situation": "old ཀ"}
    assert list(store.folder.glob(f".*{TEMP_SUFFIX}")) == []  # the failed write cleaned up


def test_temporary_files_left_by_a_crash_are_ignored_then_removed(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.save("k", "HV-01", 1, {"a": "kept"})
    final = store.path_for("k")
    leftover = final.with_name(f".{final.name}.deadbeef{TEMP_SUFFIX}")
    leftover.write_bytes(b'{"format": 1, "key": "k", "form_co')  # the write a crash cut off
    assert [d.values for d in store.all()] == [{"a": "kept"}]
    assert store.remove_leftovers(older_than_s=3600) == []  # may still be being written
    old = datetime.now(UTC) - timedelta(hours=2)
    os.utime(leftover, (old.timestamp(), old.timestamp()))
    assert store.remove_leftovers() == [leftover]
    assert store.load("k") is not None


def test_concurrent_writers_of_one_key_leave_one_whole_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    writers, rounds = 6, 25
    written = {
        f"{TIBETAN} {w}-{r} {CHINESE * (1 + r % 7)}" for w in range(writers) for r in range(rounds)
    }
    seen: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(w: int) -> None:
        try:
            for r in range(rounds):
                store.save(
                    "k", "HV-01", 1, {"situation": f"{TIBETAN} {w}-{r} {CHINESE * (1 + r % 7)}"}
                )
        except BaseException as error:
            errors.append(error)

    def read() -> None:
        while not stop.is_set():
            draft = store.load("k")
            if draft is not None:
                seen.append(str(draft.values["situation"]))

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    reader.join()
    assert errors == []
    final = store.load("k")
    assert final is not None and final.values["situation"] in written
    assert set(seen) <= written  # a reader only ever saw whole drafts
    assert [p.name for p in store.folder.iterdir()] == [
        store.path_for("k").name
    ]  # no .bad, no temp
