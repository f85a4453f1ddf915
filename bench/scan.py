"""Reading scanned sheets back (issue 17): how often the reader is right when it is sure,
how many sheets need a person, whether every page is identified, and the time a page takes
from its JPEG file.

The sheets are the program's own: blank feedback sheets printed by `PrintService` and
sign-in lists to tick, filled in and scanned or photographed by the generator of the tests
(`tests/scans.py`, fixed seed), cached in .bench-data/scans-<layout>/ (delete it to build
again; it is rebuilt by itself when the printed layout changes). Each page is decoded from
its JPEG and read by `scan.reader.read_page` with the layouts `ScanService` gives, one page
at a time (the machine is shared: the load is printed with the figures).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.data import CACHE, bench_clock, demo_data
from station_desktop.app import Application, open_application

SCANNER_SHEETS = 160
PHONE_SHEETS = 80
SIGN_IN_PAGES = 20  # lists of 20 names (half scanned, half photographed)
# The sign-in lists are records of the data folder they were printed from: a cached pile's
# lists made against another folder are refused as unknown here. They are then made again
# from this folder, with their own random stream (the tests' seed and this number), leaving
# the feedback sheets (which any folder knows) as they are.
SIGN_IN_STREAM = 17
# A second pile, made on each run and not kept: sheets filled plainly with a touch of the
# pen in TOUCH_SHARE of their empty boxes (people make far fewer: the main pile has 4 in
# 8,000 empty boxes), to see how the reader takes touches of every pen, heavy ones too.
TOUCH_SHEETS = int(os.environ.get("BENCH_SCAN_TOUCH_SHEETS", "100"))
TOUCH_SHARE = 0.3
TOUCH_STREAM = 29
# Another pile than the tests' seed's, to check the thresholds on marks they were not set
# on: BENCH_SCAN_SEED=20261208 ./run-bench scan (kept in its own folder, scans-<layout>-<seed>).
SEED_OVERRIDE = os.environ.get("BENCH_SCAN_SEED")
TIMED_REPEAT = 3


def _tests() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import scans

    return scans


def _seed() -> int:
    return int(SEED_OVERRIDE) if SEED_OVERRIDE else int(_tests().SEED)


def _layout_key(app: Application) -> str:
    from station_desktop.pdf.page import LayoutLog, QrPayload

    log = LayoutLog()
    app.printing.render(app.printing.blank_sheets("feedback", 1), layout=log)
    return QrPayload.parse(log.qr_texts[1]).layout


def _sign_in_sheets(app: Application) -> list[tuple[Any, Any]]:
    """Sign-in lists to tick for the demo's newest activities: their PDF page and layout."""
    from station_desktop.forms.activity import SIGN_IN_FORM
    from station_desktop.pdf.page import LayoutLog
    from station_desktop.scan.layout import page_layouts

    activity = app.listing.records("activities", limit=1)[0]
    area = app.stations.areas()[0].code
    names = app.printing.expected_at(area)[:20]
    made = []
    for _ in range(SIGN_IN_PAGES):
        list_id = app.activities.prepare_sign_in_list(activity["id"], names)
        log = LayoutLog()
        pdf = app.printing.render([app.printing.sign_in_sheet(list_id)], layout=log)
        made.append((pdf.data, page_layouts(log, SIGN_IN_FORM)[1]))
    return made


def _samples(app: Application, folder: Path) -> list[dict[str, Any]]:
    """The generated pages (JPEG files and their truth), made once."""
    index = folder / "index.json"
    if index.exists():
        return list(json.loads(index.read_text(encoding="utf-8")))
    scans = _tests()
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(_seed())
    scale = 12.0
    entries: list[dict[str, Any]] = []
    started = time.perf_counter()

    def keep(sample: Any, kind: str, form: str) -> None:
        path = folder / f"{sample.name}.jpg"
        path.write_bytes(sample.data)
        truth = asdict(sample.truth)
        truth["doubtful"] = sorted(truth["doubtful"])
        entries.append(
            {"file": path.name, "kind": kind, "form": form, "dpi": sample.dpi, "truth": truth}
        )
        print(f"  generating: {len(entries)} pages", end="\r", flush=True)

    sheets = scans.printed_feedback_sheets(app.printing, SCANNER_SHEETS + PHONE_SHEETS, 1)
    for index_, number in enumerate(sheets.numbers):
        kind = "scanner" if index_ < SCANNER_SHEETS else "phone"
        image = scans.render_page(sheets.pdf, 2 * index_, scale)
        sample = scans.make_sample(
            f"feedback-{number:04d}", image, sheets.layouts[1], scale, kind, rng
        )
        keep(sample, kind, "SF-01")
    for n, (pdf, layout) in enumerate(_sign_in_sheets(app)):
        kind = "scanner" if n % 2 == 0 else "phone"
        image = scans.render_page(pdf, 0, scale)
        keep(scans.make_sample(f"sign-in-{n:02d}", image, layout, scale, kind, rng), kind, "AC-02")
    print(f"\n  generated {len(entries)} pages in {time.perf_counter() - started:.0f} s")
    index.write_text(json.dumps(entries), encoding="utf-8")
    return entries


def _sign_in_known(app: Application, folder: Path, entries: list[dict[str, Any]]) -> bool:
    """Whether the cached sign-in lists are records of this data folder."""
    from station_desktop.pdf.page import QrPayload
    from station_desktop.scan.geometry import find_codes
    from station_desktop.scan.pages import decode_image
    from station_desktop.scan.reader import Refusal

    lists = [e for e in entries if e["form"] == "AC-02"]
    if not lists:
        return False
    image = decode_image((folder / lists[0]["file"]).read_bytes())
    for code in find_codes(image) if image is not None else ():
        try:
            payload = QrPayload.parse(code.text)
        except ValueError:
            continue
        return not isinstance(app.scanning._resolve(payload), Refusal)
    return False


def _remake_sign_in(
    app: Application, folder: Path, entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The sign-in lists of the pile printed again from this data folder and filled in."""
    scans = _tests()
    import numpy as np

    rng = np.random.default_rng((_seed(), SIGN_IN_STREAM))
    scale = 12.0
    kept = [e for e in entries if e["form"] != "AC-02"]
    for old in folder.glob("sign-in-*.jpg"):
        old.unlink()
    started = time.perf_counter()
    for n, (pdf, layout) in enumerate(_sign_in_sheets(app)):
        kind = "scanner" if n % 2 == 0 else "phone"
        image = scans.render_page(pdf, 0, scale)
        sample = scans.make_sample(f"sign-in-{n:02d}", image, layout, scale, kind, rng)
        (folder / f"{sample.name}.jpg").write_bytes(sample.data)
        truth = asdict(sample.truth)
        truth["doubtful"] = sorted(truth["doubtful"])
        kept.append(
            {
                "file": f"{sample.name}.jpg",
                "kind": kind,
                "form": "AC-02",
                "dpi": sample.dpi,
                "truth": truth,
            }
        )
        print(f"  sign-in lists made again: {n + 1}", end="\r", flush=True)
    print(f"\n  made {SIGN_IN_PAGES} sign-in lists in {time.perf_counter() - started:.0f} s")
    (folder / "index.json").write_text(json.dumps(kept), encoding="utf-8")
    return kept


def _touches(app: Application) -> None:
    """How the reader takes touches of the pen: never for a tick when it is sure."""
    scans = _tests()
    import numpy as np

    from station_desktop.scan.reader import BoxState, read_page

    if TOUCH_SHEETS <= 0:
        return
    rng = np.random.default_rng((_seed(), TOUCH_STREAM))
    scale = 12.0
    sheets = scans.printed_feedback_sheets(app.printing, 1, 1)
    page = scans.render_page(sheets.pdf, 0, scale)
    read: Counter[str] = Counter()
    wrong: list[str] = []
    started = time.perf_counter()
    for n in range(TOUCH_SHEETS):
        kind = "phone" if n % 3 == 0 else "scanner"
        sample = scans.make_sample(
            f"touches-{n:03d}",
            page,
            sheets.layouts[1],
            scale,
            kind,
            rng,
            plain=True,
            touches=TOUCH_SHARE,
        )
        reading = read_page(sample.name, sample.image, app.scanning._resolve)
        if reading.refusal is not None:
            read["refused"] += 1
            continue
        if reading.sure:
            read["sheets sure"] += 1
            answers = sample.truth.answers
            if any(sorted(q.answer) != sorted(answers.get(q.key, ())) for q in reading.questions):
                read["sheets wrong"] += 1
        for question in reading.questions:
            for box in question.boxes:
                drawn = sample.truth.drawn.get(box.tag, "nothing")
                read[f"{drawn} {box.state.value}"] += 1
                ticked = sample.truth.ticked[box.tag]
                if box.state is not BoxState.UNSURE and (box.state is BoxState.TICKED) != ticked:
                    stroke = box.measure.stroke
                    wrong.append(
                        f"{sample.name} ({kind} {sample.dpi} dpi) {box.tag}: drawn {drawn}, "
                        f"read {box.state.value}, score {box.score:.3f} mm² of {box.area:.1f}, "
                        f"stroke {stroke.length:.2f} mm × {stroke.width:.2f}"
                    )
    print(
        f"touches of the pen: {TOUCH_SHEETS} sheets filled plainly, a touch in "
        f"{TOUCH_SHARE:.0%} of the empty boxes ({time.perf_counter() - started:.0f} s)"
    )
    for drawn in ("stray", "tick", "nothing"):
        total = sum(v for k, v in read.items() if k.startswith(f"{drawn} "))
        states = ", ".join(
            f"{state} {read[f'{drawn} {state}']}" for state in ("ticked", "empty", "unsure")
        )
        name = {"stray": "touches", "tick": "ticks", "nothing": "nothing drawn"}[drawn]
        print(f"  {name}: {total} boxes: {states}")
    print(
        f"  wrong when sure: {len(wrong)}; pages refused: {read['refused']}; sheets without "
        f"review {read['sheets sure']}, of which saved with a wrong value {read['sheets wrong']}"
    )
    for line in wrong[:10]:
        print(f"    {line}")


def run() -> None:
    from station_desktop.scan.pages import decode_image
    from station_desktop.scan.reader import BoxState, read_page

    paths, _ = demo_data(1000)
    with open_application(paths, clock=bench_clock) as app:
        folder = CACHE / f"scans-{_layout_key(app)}"
        if SEED_OVERRIDE:
            folder = folder.with_name(f"{folder.name}-{_seed()}")
        entries = _samples(app, folder)
        if not _sign_in_known(app, folder, entries):
            entries = _remake_sign_in(app, folder, entries)
        resolve = app.scanning._resolve
        # Layouts are rendered once per form: not part of a page's time.
        warm = decode_image((folder / entries[0]["file"]).read_bytes())
        assert warm is not None
        read_page("warm", warm, resolve)
        boxes = Counter()
        sheets = Counter()
        times: dict[str, list[float]] = {"scanner": [], "phone": []}
        cpu: dict[str, list[float]] = {"scanner": [], "phone": []}
        # Why a sheet waits for a person: each unsure box by its doubt and what the
        # generator drew in it (a tick, a faint mark, nothing...), with its score.
        why: Counter[str] = Counter()
        # Every box's score (ink less the blank form's and the page's usual, per mm² of its
        # inside) by what was drawn in it: how far apart "nothing" and "a tick" lie.
        scores: dict[str, list[float]] = {}
        unsure_scores: list[str] = []
        wrong: list[str] = []
        bad_ready: list[str] = []
        unidentified: list[str] = []
        load = os.getloadavg()
        for entry in entries:
            data = (folder / entry["file"]).read_bytes()
            kind, truth = entry["kind"], entry["truth"]
            best = best_cpu = float("inf")
            for _ in range(TIMED_REPEAT):
                started, started_cpu = time.perf_counter(), time.process_time()
                image = decode_image(data)
                assert image is not None
                reading = read_page(entry["file"], image, resolve)
                best = min(best, time.perf_counter() - started)
                best_cpu = min(best_cpu, time.process_time() - started_cpu)
            times[kind].append(best)
            cpu[kind].append(best_cpu)
            group = f"{entry['form']} {kind}"
            sheets[f"{group} pages"] += 1
            if reading.refusal is not None or reading.code is None:
                unidentified.append(f"{entry['file']} ({entry['dpi']} dpi): {reading.refusal}")
                sheets[f"{group} refused"] += 1
                continue
            for question in reading.questions:
                for box in question.boxes:
                    boxes["boxes"] += 1
                    drawn_kind = truth.get("drawn", {}).get(box.tag, "nothing")
                    scores.setdefault(drawn_kind, []).append(box.score / max(box.area, 1e-6))
                    if box.state is BoxState.UNSURE:
                        boxes["unsure"] += 1
                        drawn = truth.get("drawn", {}).get(box.tag, "nothing")
                        on_purpose = "on purpose" if question.key in truth["doubtful"] else "plain"
                        why[f"{on_purpose}: {box.doubt} box, drawn {drawn}"] += 1
                        if on_purpose == "plain":
                            unsure_scores.append(
                                f"{entry['file']} {box.tag} ({kind} {entry['dpi']} dpi): "
                                f"{box.doubt} score {box.score:.3f} mm² of {box.area:.1f}, "
                                f"cover {box.measure.cover:.2f}, frame {box.measure.frame:.2f}, "
                                f"drawn {drawn}"
                            )
                        continue
                    boxes["sure"] += 1
                    if (box.state is BoxState.TICKED) != truth["ticked"][box.tag]:
                        boxes["wrong"] += 1
                        wrong.append(f"{entry['file']} {box.tag}: read {box.state.value}")
            # The pile gives the service area (as a typed pile does): an unticked one is no
            # reason to ask.
            answers = {q.key: q.answer for q in reading.questions if q.sure}
            if reading.sure:
                sheets[f"{group} no review"] += 1
                if not truth["doubtful"]:
                    sheets[f"{group} plain no review"] += 1
                for key, answer in answers.items():
                    if tuple(truth["answers"].get(key, ())) != answer:
                        bad_ready.append(f"{entry['file']} {key}: {answer}")
            if truth["doubtful"]:
                sheets[f"{group} doubtful"] += 1
        _report(boxes, sheets, times, wrong, bad_ready, unidentified, load)
        print("seconds of CPU a page from its JPEG (the process's, every thread):")
        for kind, measured in cpu.items():
            values = sorted(measured)
            print(
                f"  {kind}: median {statistics.median(values):.3f}, "
                f"90% {values[int(len(values) * 0.9)]:.3f}, worst {values[-1]:.3f}"
            )
        after = os.getloadavg()
        print(f"load average after reading: {after[0]:.1f} {after[1]:.1f} {after[2]:.1f}")
        print("score per mm² of a box's inside, by what was drawn in it (quantiles):")
        for drawn_kind, values in sorted(scores.items()):
            ordered = sorted(values)

            def at(q: float, ordered: list[float] = ordered) -> float:
                return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

            print(
                f"  {drawn_kind:8s} {len(ordered):6d} boxes: min {ordered[0]:.4f} "
                f"1% {at(0.01):.4f} median {at(0.5):.4f} 99% {at(0.99):.4f} "
                f"max {ordered[-1]:.4f}"
            )
        print("unsure boxes, by doubt and what was drawn in them:")
        for reason, count in why.most_common():
            print(f"  {count:4d}  {reason}")
        print("unsure boxes of questions without a doubtful mark made on purpose:")
        for line in unsure_scores:
            print(f"  {line}")
        _touches(app)


def _report(
    boxes: Counter[str],
    sheets: Counter[str],
    times: dict[str, list[float]],
    wrong: list[str],
    bad_ready: list[str],
    unidentified: list[str],
    load: tuple[float, float, float],
) -> None:
    print(f"load average before reading: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores)")
    sure, total = boxes["sure"], boxes["boxes"]
    right = sure - boxes["wrong"]
    print(
        f"boxes: {total}, sure {sure} ({sure / max(1, total):.2%}), right when sure "
        f"{right}/{sure} = {right / max(1, sure):.4%}"
    )
    for line in wrong[:10]:
        print(f"  wrong: {line}")
    print(f"sheets saved without review with a wrong value: {len(bad_ready)}")
    for line in bad_ready[:10]:
        print(f"  {line}")
    for group in ("SF-01 scanner", "SF-01 phone", "AC-02 scanner", "AC-02 phone"):
        pages = sheets[f"{group} pages"]
        if not pages:
            continue
        plain = pages - sheets[f"{group} doubtful"]
        print(
            f"{group}: {pages} pages, no review {sheets[f'{group} no review']} "
            f"({sheets[f'{group} no review'] / pages:.1%}), refused {sheets[f'{group} refused']}; "
            f"{sheets[f'{group} doubtful']} hold a doubtful mark made on purpose, of the other "
            f"{plain} no review {sheets[f'{group} plain no review']} "
            f"({sheets[f'{group} plain no review'] / max(1, plain):.1%})"
        )
    print(f"pages not identified: {len(unidentified)}")
    for line in unidentified[:10]:
        print(f"  {line}")
    for kind, measured in times.items():
        values = sorted(measured)
        print(
            f"seconds a page from its JPEG ({kind}): median {statistics.median(values):.3f}, "
            f"90% {values[int(len(values) * 0.9)]:.3f}, worst {values[-1]:.3f}"
        )
