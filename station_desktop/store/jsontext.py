"""JSON text made many times with the same options (an import encodes each of hundreds of
thousands of entries several times: its canonical check, its audit seal and link, its
JSON columns).

`json.JSONEncoder.encode` builds its C encoder anew on every call, which costs about a
fifth of encoding a change-log entry; here it is built once. The text is the one
`JSONEncoder(**options).encode` makes (the same C encoder, given the same options);
only the check for circular references is left out, which JSON read from a file or
made from a row can never need (Python's recursion limit still stops a runaway).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any


def json_encoder(
    *,
    ensure_ascii: bool = True,
    sort_keys: bool = False,
    separators: tuple[str, str] = (", ", ": "),
    allow_nan: bool = True,
    default: Callable[[Any], Any] | None = None,
) -> Callable[[Any], str]:
    """`JSONEncoder(...).encode` with these options, its encoder made once."""
    encoder = json.JSONEncoder(
        ensure_ascii=ensure_ascii,
        sort_keys=sort_keys,
        separators=separators,
        allow_nan=allow_nan,
        default=default,
        check_circular=False,
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator: the ordinary way
        return encoder.encode
    text = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    item_separator, key_separator = separators
    chunks = make(
        None,
        encoder.default,
        text,
        None,
        key_separator,
        item_separator,
        sort_keys,
        False,
        allow_nan,
    )

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode
