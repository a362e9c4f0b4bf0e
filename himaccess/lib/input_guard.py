"""Checks on what a request carries, made before anything parses it deeply or stores it.

Pure functions over text, bytes and parsed JSON; the middleware that applies
them to requests is ``himaccess.middleware.InputGuardMiddleware``.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from himaccess.lib.text import CONTROL_BYTES, has_control_character

# The characters that open, close or escape something in JSON.
_JSON_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
_BACKSLASH, _QUOTE = ord("\\"), ord('"')
_OPENERS, _CLOSERS = (ord("["), ord("{")), (ord("]"), ord("}"))


class Problem(enum.Enum):
    CONTROL_CHARACTER = "control_character"
    TOO_DEEP = "too_deep"
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    ADDRESS_TOO_LONG = "address_too_long"


def any_control_character(texts: Iterable[str]) -> bool:
    return any(has_control_character(text) for text in texts)


def json_deeper_than(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in ``body`` nest more than ``limit`` deep.

    One pass over the brackets, quotes and backslashes only, stopping at the
    first level past the limit: a parser never sees the input, so no input
    can make one recurse. Malformed JSON is measured as far as it goes.
    """
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_STRUCTURE.finditer(body):
        at = match.start()
        if at == escaped_at:
            continue
        byte = body[at]
        if in_string:
            if byte == _BACKSLASH:
                escaped_at = at + 1
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


def json_strings(value: Any) -> Iterator[str]:
    """Every key and every string value in parsed JSON, without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                pending.append(inner)
        elif isinstance(item, list):
            pending.extend(item)


def body_problem(body: bytes, *, max_depth: int) -> Problem | None:
    """What is wrong with a body that is not form data (JSON, or anything a view might parse as JSON).

    1. A raw control byte anywhere: refused (JSON never holds one unescaped).
    2. Valid UTF-8 holding a C1 control: refused.
    3. Nesting deeper than ``max_depth``: refused before parsing.
    4. JSON whose keys or strings hold an escaped control (``"\\u0000"``): refused.
    Anything else, malformed JSON included, is left to the endpoint to answer.
    """
    if not body:
        return None
    if CONTROL_BYTES.search(body):
        return Problem.CONTROL_CHARACTER
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and has_control_character(text):
        return Problem.CONTROL_CHARACTER
    if json_deeper_than(body, max_depth):
        return Problem.TOO_DEEP
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if any_control_character(json_strings(parsed)):
        return Problem.CONTROL_CHARACTER
    return None


def multipart_headers_have_control_character(body: bytes, boundary: bytes) -> bool:
    """Whether the headers of any part (field names, file names) hold a control character.

    Django's parser drops unprintable characters from a file's name before a
    view sees it, so only the raw headers show what the client sent.
    """
    for part in body.split(b"--" + boundary)[1:]:
        headers = part.split(b"\r\n\r\n", 1)[0].strip(b"\r\n")
        if CONTROL_BYTES.search(headers):
            return True
        if has_control_character(headers.decode("utf-8", "replace")):
            return True
    return False


def header_has_control_character(value: str) -> bool:
    """Whether a WSGI header value (its bytes seen as ISO-8859-1) holds a control character.

    A value that is UTF-8 is read as UTF-8 (so ``\xc2\x85`` is the C1 control
    it encodes); any other is read as ISO-8859-1, HTTP's own reading, where
    bytes 80-9F are the C1 controls.
    """
    try:
        text = value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        text = value
    return has_control_character(text)
