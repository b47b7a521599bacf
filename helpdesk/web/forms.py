"""Helpers for HTML form payloads."""

from __future__ import annotations


def as_list(value: object) -> object:
    """A single form value as a one-item list (a form sends one value without brackets)."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]
