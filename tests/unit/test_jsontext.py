"""JSON text made with an encoder built once is the text the standard encoder makes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.store.jsontext import json_encoder

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
CANONICAL: dict[str, Any] = {
    "ensure_ascii": False,
    "sort_keys": True,
    "separators": (",", ":"),
    "allow_nan": False,
}


def _outcome(encode: Any, value: Any) -> str:
    """The text, or the refusal (an infinite float where `allow_nan` is off)."""
    try:
        return str(encode(value))
    except ValueError as error:
        return f"ValueError: {error}"


@given(VALUES)
def test_the_same_text_as_the_standard_encoder(value: Any) -> None:
    assert json_encoder()(value) == json.dumps(value)
    assert _outcome(json_encoder(**CANONICAL), value) == _outcome(
        json.JSONEncoder(**CANONICAL).encode, value
    )


def test_options_still_hold() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        json_encoder(**CANONICAL)(float("nan"))
    with pytest.raises(ValueError, match="not JSON compliant"):
        json_encoder(**CANONICAL)([1, float("inf")])
    with pytest.raises(TypeError):
        json_encoder()(object())
    assert json_encoder(default=str)({"b": 1, "a": object}) == '{"b": 1, "a": "<class \'object\'>"}'
