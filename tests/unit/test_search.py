"""Finding a resident whatever script the searcher types."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_desktop.app import Application
from station_desktop.domain.namekeys import MatchRank, NameKeyBuilder, parse_query, rank
from station_desktop.store.search import KEY_LIMIT, search_rows
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines

PEOPLE = {
    "tashi_tsering": ("བཀྲ་ཤིས་ཚེ་རིང་", "扎西次仁"),
    "tashi": ("བཀྲ་ཤིས་", "扎西"),
    "tsering_drolma": ("ཚེ་རིང་སྒྲོལ་མ་", "次仁卓玛"),
    "metsho": ("མཚོ་མོ་", ""),  # Tibetan script only
    "dorje": ("", "多吉"),  # Chinese only
    "wang": ("", "王建国"),
    "pema": ("པདྨ་ཆོས་སྒྲོན་", "白玛曲珍"),
}


@pytest.fixture
def people(app: Application, station: StationSetup) -> dict[str, uuid.UUID]:
    ids = {}
    for key, (bo, zh) in PEOPLE.items():
        extra = {}
        if key == "wang":
            extra = {
                "id_number": "11010519491231002X",
                "phone": "13912345678",
                "sex": "female",
                "birth_date": "1949-12-31",
            }
        ids[key] = app.residents.register(
            {"name_bo": bo, "name_zh": zh, "legal_basis": "statutory_duty", **extra}
        )
    return ids


def _found(app: Application, query: str) -> list[str]:
    keys_by_id = {}
    for r in app.residents.search(query):
        for key, (bo, zh) in PEOPLE.items():
            if (r.name_bo, r.name_zh) == (bo, zh):
                keys_by_id[r.id] = key
    return [keys_by_id[r.id] for r in app.residents.search(query)]


@pytest.mark.parametrize(
    ("query", "expected_first", "also"),
    [
        ("扎西", "tashi", {"tashi_tsering"}),  # exact before partial
        ("扎西次仁", "tashi_tsering", set()),
        ("བཀྲ་ཤིས", "tashi", {"tashi_tsering"}),
        ("བཀྲ་ཤིས་", "tashi", {"tashi_tsering"}),  # a final tsheg changes nothing
        ("bkra shis", "tashi", {"tashi_tsering"}),
        ("Bkra-Shis", "tashi", {"tashi_tsering"}),
        ("zhaxi", "tashi", {"tashi_tsering"}),
        ("Tashi", "tashi", {"tashi_tsering"}),
        ("tsering", "tsering_drolma", {"tashi_tsering"}),  # start of name before inside
        ("ཚེ", "tsering_drolma", {"tashi_tsering"}),  # a two-code-point syllable
        ("ཚེ་རིང", "tsering_drolma", {"tashi_tsering"}),
        ("མཚོ", "metsho", set()),
        ("多吉", "dorje", set()),
        ("duoji", "dorje", set()),
        ("王", "wang", set()),
        ("wjg", "wang", set()),  # pinyin initials
        ("11010519491231002x", "wang", set()),
        ("2345", "wang", set()),  # part of the phone number
        ("pema", "pema", set()),
        ("Padma", "pema", set()),
        ("Pema Chodron", "pema", set()),
        ("Tshering", "tsering_drolma", {"tashi_tsering"}),
        ("Dolma", "tsering_drolma", set()),
        ("白玛", "pema", set()),
    ],
)
def test_cross_script_queries(
    app: Application, people: dict[str, uuid.UUID], query: str, expected_first: str, also: set[str]
) -> None:
    found = _found(app, query)
    assert found[:1] == [expected_first]
    assert set(found[1:]) == also


def test_a_syllable_is_not_found_inside_another(
    app: Application, people: dict[str, uuid.UUID]
) -> None:
    # ཚོ is inside མཚོ but is not a syllable of it: a weak match at best, never first.
    assert "metsho" not in _found(app, "ཚོ་མོ")[:0]
    assert _found(app, "ཚོ")[:1] in ([], ["metsho"])


def test_a_part_inside_a_syllable_is_found_by_the_inside_search(
    app: Application, people: dict[str, uuid.UUID]
) -> None:
    """No key starts with "ashi" (it is inside Tashi): the inside search finds it (on
    PostgreSQL a LIKE the trigram index serves; on SQLite the scan)."""
    assert set(_found(app, "ashi")) == {"tashi", "tashi_tsering"}
    assert _found(app, "ashiq") == []


@pytest.mark.parametrize("query", ["%", "_", "'", '"', "NEAR(", "*", "\\", "' OR 1=1 --", "   "])
def test_metacharacters_are_plain_text(
    app: Application, people: dict[str, uuid.UUID], query: str
) -> None:
    assert _found(app, query) == []


def test_mixed_script_query_needs_every_part(
    app: Application, people: dict[str, uuid.UUID]
) -> None:
    assert _found(app, "扎西 ཚེ་རིང") == ["tashi_tsering"]


@pytest.mark.parametrize(
    ("name_bo", "name_zh", "queries"),
    [
        ("", "次仁 ཚེ་རིང", ["次仁", "ཚེ་རིང", "tsering", "ciren", "次仁 ཚེ་རིང"]),
        ("ཚེ་རིང 次仁", "", ["次仁", "ཚེ་རིང", "ciren", "ཚེ་རིང 次仁"]),
        ("", "ལྷ་སའི་ཚེ་རིང", ["ཚེ་རིང", "lhasa"]),  # a Tibetan name in the Chinese field
    ],
)
def test_each_script_of_a_mixed_name_field_is_found(
    app: Application, station: StationSetup, name_bo: str, name_zh: str, queries: list[str]
) -> None:
    resident = app.residents.register(
        {"name_bo": name_bo, "name_zh": name_zh, "legal_basis": "statutory_duty"}
    )
    for query in queries:
        assert [r.id for r in app.residents.search(query)] == [resident], query


def test_mixed_names_indexed_by_older_rules_are_indexed_again(
    app: Application, people: dict[str, uuid.UUID]
) -> None:
    from sqlalchemy import delete, update

    from station_desktop.store.changes import set_local_state
    from station_desktop.store.models import ResidentSearch, ResidentSearchKey

    mixed = app.residents.register({"name_zh": "拉巴 ལྷག་པ", "legal_basis": "statutory_duty"})
    with app.ctx.db.write_session() as session:  # as a database of the first version
        session.execute(delete(ResidentSearchKey).where(ResidentSearchKey.resident_id == mixed))
        session.execute(
            update(ResidentSearch).where(ResidentSearch.resident_id == mixed).values(keys="")
        )
        set_local_state(session, "search_keys_version", "1")
    assert app.residents.search("ལྷག་པ") == []
    assert app.residents.bring_search_up_to_date() == 1  # only the mixed name
    assert [r.id for r in app.residents.search("ལྷག་པ 拉巴")] == [mixed]
    assert app.residents.bring_search_up_to_date() == 0  # once per version


def test_names_the_phonetic_library_cannot_read_print_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # bophono prints "couldn't understand syllable ..." for these: not onto our stdout.
    builder = NameKeyBuilder()
    for name in ("ཧཱུྃ", "བཛྲ", "ཀྵ", "ཛྙཱ", "ཨཱཿ"):
        keys = builder.resident_keys(name, "", None, None)
        assert keys.full[0]  # still found by its script
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_updates_and_deletes_are_searchable_at_once(
    app: Application, people: dict[str, uuid.UUID]
) -> None:
    app.residents.update(people["dorje"], {"name_zh": "多吉次旺"})
    assert [r.name_zh for r in app.residents.search("次旺")] == ["多吉次旺"]
    app.residents.delete(people["wang"])
    assert app.residents.search("王建国") == []


_builder = NameKeyBuilder()


@settings(max_examples=60)
@given(
    st.lists(
        st.sampled_from(["བཀྲ", "ཤིས", "ཚེ", "རིང", "སྒྲོལ", "མ", "རྡོ", "རྗེ", "བསོད", "ནམས", "ཕྱྭ", "ཀྲ"]),
        min_size=1,
        max_size=4,
    ),
    st.text(alphabet="扎西次仁卓玛多吉索朗王李张堃", min_size=0, max_size=5),
)
def test_a_whole_name_always_ranks_exact(syllables: list[str], name_zh: str) -> None:
    name_bo = "་".join(syllables) + "་"
    keys = _builder.resident_keys(name_bo, name_zh, None, None)
    assert rank(parse_query(name_bo), keys) == MatchRank.EXACT
    if name_zh:
        assert rank(parse_query(name_zh), keys) == MatchRank.EXACT
    wylie = _builder.wylie(name_bo)
    assert rank(parse_query(wylie), keys) >= MatchRank.PREFIX


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["བཀྲ་ཤིས་", "ཚེ་རིང་ 次仁", "", "ལྷག་པ", "abc12"]),
            st.sampled_from(["扎西", "次仁卓玛", "", "拉巴 ལྷག་པ", "Wang 12"]),
            st.sampled_from([None, "", "11010519491231002X", "12"]),
            st.sampled_from([None, "13912345678", "12", "abc12"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_search_rows_are_each_residents_keys(
    people: list[tuple[str, str, str | None, str | None]],
) -> None:
    # The rows made in bulk (names' rows made once per pair of names, the numbers' added)
    # are what each resident's own keys say: whole-name keys marked, each key once.
    residents = [
        SimpleNamespace(
            id=uuid.uuid4(),
            station_id=uuid.uuid4(),
            deleted=False,
            name_bo=bo,
            name_zh=zh,
            id_number=id_number,
            phone=phone,
        )
        for bo, zh, id_number, phone in people
    ]
    rows, key_columns = search_rows(_builder, residents)
    expected = []
    for r, row in zip(residents, rows, strict=True):
        keys = _builder.resident_keys(r.name_bo, r.name_zh, r.id_number, r.phone)
        assert row["keys"] == keys.encode()
        whole = {key[:KEY_LIMIT]: True for key in keys.full}
        parts = {key[:KEY_LIMIT]: False for key in (*keys.tails, *keys.tokens)}
        expected += [(r.id, key, flag) for key, flag in (parts | whole).items()]
    made = list(zip(*key_columns.values(), strict=True))
    assert list(key_columns) == ["resident_id", "key", "whole_name"]
    assert made == expected
