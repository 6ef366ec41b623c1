"""Telegram Desktop channel exports (`result.json`): every message becomes a document.

The export is validated message by message with pydantic, so a broken file is
rejected as a whole with the index of the first bad message; nothing from it is
used. Service messages (pins, joins, title changes) and media-only posts are skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rhetorscope.errors import InputError
from rhetorscope.readers.base import RawDocument, parse_json

_HINT = "re-export the channel from Telegram Desktop (Export chat history → JSON)"


class _Entity(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "plain"
    text: str


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: int
    type: str
    date: dt.datetime | None = None
    text: str | list[str | _Entity] = ""
    sender: str | None = Field(None, alias="from")
    forwarded_from: str | None = None
    edited: dt.datetime | None = None

    def plain_text(self) -> str:
        if isinstance(self.text, str):
            return self.text
        return "".join(part if isinstance(part, str) else part.text for part in self.text)


def read_telegram(text: str, *, source: str | None, encoding: str | None) -> list[RawDocument]:
    name = source or "the Telegram export"
    data: Any = parse_json(text, name, _HINT)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise InputError(f"{name} is not a Telegram export: no 'messages' list at the top level", _HINT)
    channel = data.get("name") if isinstance(data.get("name"), str) else None
    documents = []
    for index, item in enumerate(data["messages"]):
        try:
            message = _Message.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "message"
            raise InputError(
                f"{name}: message #{index} is malformed ({where}: {err['msg']}); nothing was read from this file",
                _HINT,
            ) from None
        body = message.plain_text()
        if message.type != "message" or not body.strip():
            continue
        documents.append(RawDocument(
            text=body,
            input_format="telegram",
            source=channel or source,
            encoding=encoding,
            external_id=str(message.id),
            date=message.date.date() if message.date else None,
            extra={
                k: v for k, v in {
                    "channel": channel,
                    "channel_id": data.get("id"),
                    "from": message.sender,
                    "forwarded_from": message.forwarded_from,
                    "edited": message.edited.isoformat() if message.edited else None,
                    "datetime": message.date.isoformat() if message.date else None,
                }.items() if v is not None
            },
        ))
    return documents
