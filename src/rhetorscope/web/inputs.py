"""Read what a client sent to analyse: JSON `{text, format_hint}` or a multipart form with a file or text.

The API and the Analyze page accept the same two shapes, so both go through
`read_analyze_input`. The body has already passed the size limit by the time
it is read here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from rhetorscope.language import SUPPORTED
from rhetorscope.readers.sniff import FORMATS
from rhetorscope.web.schemas import AnalyzeRequest

PASTED = "pasted text"


@dataclass
class AnalyzeInput:
    """Bytes to read, plus the reader options; `token` is the form's token field, if any."""

    data: bytes
    name: str
    input_format: str | None = None
    text_column: str | None = None
    language: str | None = None
    token: str | None = None


def multipart_schema() -> dict[str, object]:
    """OpenAPI schema of the multipart form: the JSON fields plus a `file`."""
    fields = AnalyzeRequest.model_json_schema()["properties"]
    return {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": "a document file; wins over `text`"},
        "text": {"type": "string", "description": fields["text"]["description"]},
        "format_hint": {"type": "string", "enum": ["", *FORMATS]},
        "text_column": {"type": "string", "maxLength": 200},
        "language": {"type": "string", "enum": ["", *SUPPORTED], "description": fields["language"]["description"]},
    }}


async def read_analyze_input(request: Request) -> AnalyzeInput:
    """Parse the body by its content type; 415 for any other type, 422 for a body without text."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = AnalyzeRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError([{"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"]}
                                          for e in exc.errors()]) from None
        return AnalyzeInput(body.text.encode("utf-8"), body.name or PASTED, body.format_hint, body.text_column,
                            body.language)
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        async with request.form(max_files=1, max_fields=10) as form:
            upload, text = form.get("file"), form.get("text")
            fmt, language = _field(form.get("format_hint")), _field(form.get("language"))
            if fmt is not None and fmt not in FORMATS:
                raise _invalid("format_hint", f"must be one of: {', '.join(FORMATS)}")
            if language is not None and language not in SUPPORTED:
                raise _invalid("language", f"must be one of: {', '.join(SUPPORTED)}")
            options = {"input_format": fmt, "text_column": _field(form.get("text_column")), "language": language,
                       "token": _field(form.get("token"))}
            if isinstance(upload, UploadFile) and upload.filename:
                return AnalyzeInput(await upload.read(), _safe_name(upload.filename), **options)
            if isinstance(text, str) and text.strip():
                return AnalyzeInput(text.encode("utf-8"), PASTED, **options)
        raise _invalid("text", "paste a text or choose a file")
    raise HTTPException(415, "send JSON {\"text\": …} or a multipart form with `file` or `text`")


def _field(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _safe_name(filename: str) -> str:
    """The file's own name without any folders a client put in front of it."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message}])
