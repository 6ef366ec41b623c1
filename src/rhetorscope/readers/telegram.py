"""Telegram Desktop exports: every message becomes a document, every chat a source.

Three shapes, as Telegram Desktop writes them:

* a chat or channel export in JSON (`result.json` with `messages`);
* the full-account export in JSON (`result.json` with `chats.list[]`, and
  `left_chats.list[]`): each chat is its own source, named by the chat;
* the HTML export (`messages.html`, `messages2.html`, …): each file is read on
  its own; the chat's name from the page header, the message id from
  `id="message123"`, the time from the date's `title`, `forwarded_from` from the
  forwarded block. Since a message is keyed by chat and id, the files of one
  export make one source, in whatever order they are read.

JSON exports are validated message by message with pydantic, so a broken file is
rejected as a whole with the index of the first bad message; nothing from it is
used. Service messages (pins, joins, title changes) and media-only posts are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
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
    """The messages of a Telegram Desktop export, JSON (one chat or the whole account) or HTML."""
    name = source or "the Telegram export"
    if text.lstrip()[:1] == "<":
        return read_telegram_html(text, source=source, encoding=encoding)
    data: Any = parse_json(text, name, _HINT)
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return _chat(data, name=name, fallback=source, encoding=encoding, where="")
    chats = _account_chats(data)
    if chats is None:
        raise InputError(f"{name} is not a Telegram export: no 'messages' list (a chat) or 'chats.list' "
                         "(the full account) at the top level", _HINT)
    documents = []
    for index, chat in enumerate(chats):
        if not isinstance(chat, dict) or not isinstance(chat.get("messages", []), list):
            raise InputError(f"{name}: chat #{index} is malformed (no 'messages' list); nothing was read from "
                             "this file", _HINT)
        label = chat.get("name") if isinstance(chat.get("name"), str) else None
        documents += _chat(chat, name=name, fallback=label or f"{source or 'chat'} #{chat.get('id', index)}",
                           encoding=encoding, where=f"chat #{index}: ")
    return documents


def _account_chats(data: Any) -> list[Any] | None:
    """The chats of a full-account export (`chats.list` and `left_chats.list`), or None when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("chats"), dict):
        return None
    chats = data["chats"].get("list")
    if not isinstance(chats, list):
        return None
    left = data.get("left_chats", {}).get("list", []) if isinstance(data.get("left_chats"), dict) else []
    return chats + (left if isinstance(left, list) else [])


def _chat(data: dict[str, Any], *, name: str, fallback: str | None, encoding: str | None,
          where: str) -> list[RawDocument]:
    documents = []
    for index, item in enumerate(data.get("messages", [])):
        try:
            document = message_document(item, data, fallback=fallback, encoding=encoding)
        except ValidationError as exc:
            raise InputError(f"{name}: {where}message #{index} is malformed ({malformed(exc)}); nothing was "
                             "read from this file", _HINT) from None
        if document is not None:
            documents.append(document)
    return documents


def malformed(exc: ValidationError) -> str:
    """What is wrong with a message, as 'field: reason'."""
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc']) or 'message'}: {err['msg']}"


def message_document(item: Any, chat: dict[str, Any], *, fallback: str | None,
                     encoding: str | None) -> RawDocument | None:
    """One message of a chat as a document; None for service and media-only messages.

    `chat` holds the chat's own fields (`name`, `id`, `username`); the streaming reader
    (`readers.stream`) passes those it has seen before the messages. Raises pydantic's
    `ValidationError` for a malformed message, so each caller decides what that costs.
    """
    message = _Message.model_validate(item)
    body = message.plain_text()
    if message.type != "message" or not body.strip():
        return None
    channel = chat.get("name") if isinstance(chat.get("name"), str) else None
    username = chat.get("username").lstrip("@") if isinstance(chat.get("username"), str) else None
    return _document(
        body, channel=channel, source=channel or fallback, encoding=encoding, message_id=message.id,
        when=message.date, extra={"channel_id": chat.get("id"), "username": username or None,
                                  "from": message.sender, "forwarded_from": message.forwarded_from,
                                  "edited": message.edited.isoformat() if message.edited else None})


def _document(body: str, *, channel: str | None, source: str | None, encoding: str | None, message_id: int,
              when: dt.datetime | None, extra: dict[str, Any]) -> RawDocument:
    fields = {"channel": channel, **extra, "datetime": when.isoformat() if when else None}
    return RawDocument(text=body, input_format="telegram", source=source, encoding=encoding,
                       external_id=str(message_id), date=when.date() if when else None,
                       extra={k: v for k, v in fields.items() if v is not None})


_MESSAGE_ID = re.compile(r"^message(\d+)$")


def looks_like_telegram_html(text: str) -> bool:
    """A page of Telegram Desktop's HTML export: its message history, not an article."""
    head = text[:20_000]
    return 'class="history"' in head and 'class="message ' in head and "page_header" in head


def read_telegram_html(text: str, *, source: str | None, encoding: str | None) -> list[RawDocument]:
    """The messages of one page of Telegram Desktop's HTML export (`messages.html`, `messages2.html`, …)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    if tree.css_first("div.history") is None:
        raise InputError(f"{source or 'the page'} is not a page of a Telegram HTML export (no message history)",
                         _HINT)
    header = tree.css_first("div.page_header div.text")
    channel = (" ".join(header.text().split()) or None) if header is not None else None
    documents = []
    sender: str | None = None
    for node in tree.css("div.history > div.message"):
        found = _MESSAGE_ID.match(node.attributes.get("id") or "")
        classes = (node.attributes.get("class") or "").split()
        if found is None or "service" in classes:
            continue
        own = node.css_first("div.body > div.from_name")
        if own is not None:
            sender = " ".join(own.text().split())
        elif "joined" not in classes:
            sender = None
        body_node = node.css_first("div.body > div.text")
        body = _html_text(body_node) if body_node is not None else ""
        forwarded = node.css_first("div.forwarded div.from_name")
        if not body.strip():
            inner = node.css_first("div.forwarded div.text")
            body = _html_text(inner) if inner is not None else ""
        if not body.strip():
            continue
        date_node = node.css_first("div.body > div.date")
        documents.append(_document(
            body, channel=channel, source=channel or source, encoding=encoding, message_id=int(found.group(1)),
            when=_html_time(date_node.attributes.get("title") if date_node is not None else None),
            extra={"from": sender, "forwarded_from": _forwarded_name(forwarded)}))
    return documents


def _html_text(node: Any) -> str:
    for br in node.css("br"):
        br.replace_with("\n")
    return str(node.text(separator="")).strip()


def _forwarded_name(node: Any) -> str | None:
    """The forwarded block's sender, without the date Telegram puts in the same element."""
    if node is None:
        return None
    for details in node.css("span.details, span.date"):
        details.decompose()
    return " ".join(node.text().split()) or None


def _html_time(title: str | None) -> dt.datetime | None:
    """`15.01.2024 10:30:00 UTC+03:00` (Telegram's title of a message's time) as the local time it states."""
    if not title:
        return None
    try:
        return dt.datetime.strptime(title.strip()[:19], "%d.%m.%Y %H:%M:%S")
    except ValueError:
        return None
