"""Telegram Desktop JSON exports read one message at a time, for corpora too large to hold in memory.

`read_telegram` (readers/telegram.py) parses the whole file and rejects it on the first bad
message, which is right for an interactive ingest and wrong for a 1-million-post `result.json`:
the file alone is gigabytes as Python objects, and one malformed message must not cost the
other million. Here ijson parses the file incrementally (its C backend when installed). A
malformed message is reported to `on_failure` with its reason and skipped; a JSON syntax error
ends the file there, the messages before it kept.

A chat's own fields (`name`, `id`, `username`) must come before its `messages`, as Telegram
Desktop writes them; fields after the messages are not seen (the source then falls back to the
file's name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from pydantic import ValidationError

from rhetorscope.errors import InputError
from rhetorscope.readers.base import RawDocument
from rhetorscope.readers.telegram import malformed, message_document

#: Called with (which message, why) for a message that is not read.
OnFailure = Callable[[str, str], None]

_CHAT_FIELDS = ("name", "id", "username")
_ACCOUNT_LISTS = ("chats.list.item", "left_chats.list.item")


def is_streamable(head: bytes) -> bool:
    """Whether a file starting with `head` is a Telegram JSON export (an object with messages or chats)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{") and (b'"messages"' in head or b'"chats"' in head) and b"\n{" not in start[:200]


def stream_telegram(file: IO[bytes], *, name: str, on_failure: OnFailure) -> Iterator[RawDocument]:
    """The messages of a Telegram JSON export (one chat or the full account), in file order."""
    import ijson

    chat: dict[str, Any] = {}
    builder: Any = None
    item_prefix = ""
    index = 0
    try:
        for prefix, event, value in ijson.parse(file, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == item_prefix and event == "end_map":
                    document = _document(builder.value, chat, index, name, on_failure)
                    builder, index = None, index + 1
                    if document is not None:
                        yield document
                continue
            if event == "start_map" and prefix.endswith("messages.item"):
                builder, item_prefix = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            elif event == "start_map" and prefix in _ACCOUNT_LISTS:
                chat, index = {}, 0
            elif prefix.rpartition(".")[2] in _CHAT_FIELDS and event in ("string", "number"):
                owner = prefix.rpartition(".")[0]
                if owner == "" or owner in _ACCOUNT_LISTS:
                    chat[prefix.rpartition(".")[2]] = value
    except ijson.JSONError as exc:
        on_failure(f"{name}: after message #{index}", f"the file is not valid JSON from there on ({exc}); "
                   "the messages before it were read")


def _document(item: Any, chat: dict[str, Any], index: int, name: str, on_failure: OnFailure) -> RawDocument | None:
    where = f"{name}: message #{index}"
    try:
        return message_document(item, chat, fallback=name, encoding="utf-8")
    except ValidationError as exc:
        on_failure(where, f"malformed ({malformed(exc)})")
    except InputError as exc:  # a NUL in the text, which RawDocument refuses
        on_failure(where, exc.message)
    return None
