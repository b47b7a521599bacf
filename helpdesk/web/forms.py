"""Helpers for HTML form payloads."""

from __future__ import annotations

import re
import typing
from typing import Any

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

# Control characters no keyboard types (NUL, escape, bell…); tabs and line breaks stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(value: str) -> str:
    """The text without invisible control characters (PostgreSQL refuses NUL in text)."""
    return CONTROL_CHARACTERS.sub("", value)


def as_list(value: object) -> object:
    """A single form value as a one-item list (a form sends one value without brackets)."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


class WebForm(BaseModel):
    """A body a person sends (a form or JSON): its text arrives without control characters.

    Every form and request model of the web layer derives from it, so that no NUL byte,
    escape or bell reaches the database (PostgreSQL refuses NUL in text: a 500 before).
    """

    @field_validator("*", mode="before")
    @classmethod
    def _without_controls(cls, value: Any) -> Any:
        """Drop control characters from a text value or a list of them."""
        if isinstance(value, str):
            return without_controls(value)
        if isinstance(value, list):
            return [without_controls(v) if isinstance(v, str) else v for v in value]
        return value


class FormModel(WebForm):
    """A form body as a browser sends it, read by Litestar before a sync handler runs.

    Declare it as `data: Annotated[MyForm, Body(media_type=RequestEncodingType.MULTI_PART)]`
    (or URL_ENCODED). Fields are `str`, `list[str]` or `list[UploadFile]`; whatever the
    client sends is taken without a 400: control characters are dropped from text (see
    `without_controls`), a text field sent twice keeps its first value and a
    file sent in a text field is ignored; a list field takes one value or many; a file list
    keeps the files actually chosen (an empty file input arrives as an empty string).
    Uploaded files are read with `upload.file.read()` in the (sync) handler's thread.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _as_sent(cls, values: Any) -> Any:
        """Shape each field's raw value(s) to its declared type."""
        if not isinstance(values, dict):
            return values
        shaped = dict(values)
        for name, spec in cls.model_fields.items():
            key = spec.alias or name
            if key not in values:
                continue
            items = values[key] if isinstance(values[key], list) else [values[key]]
            kind = _kind(spec.annotation)
            if kind == "files":
                shaped[key] = [item for item in items if isinstance(item, UploadFile)]
            elif kind == "texts":
                shaped[key] = [without_controls(item) for item in items if isinstance(item, str)]
            elif kind == "text":
                shaped[key] = without_controls(
                    next((item for item in items if isinstance(item, str)), "")
                )
        return shaped


def _kind(annotation: Any) -> str:
    """Whether a field holds files, texts, one text, or something else."""
    if annotation is str:
        return "text"
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation) or (Any,)
        if inner is UploadFile:
            return "files"
        if inner is str:
            return "texts"
    return "other"
