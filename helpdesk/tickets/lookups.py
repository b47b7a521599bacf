"""Exact lookups of a search: a query that looks like a reference, an e-mail address, a phone
number, a numéro étranger or a dossier number is also looked up by its own index on ticket.

Each lookup is an equality on an indexed column or expression (never LIKE '%…%'):
the reference (unique index), lower(requester_email), the numéro étranger, a normalised
phone key and the dossier number. The phone key expression is the one the migration
indexes (revision 0012): keep them the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal_column, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from dossiers.catalog import is_foreign_number, normalise_dossier_number
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.references import REFERENCE_PREFIX

PHONE_SEPARATORS = (" ", ".", "-", "/", "(", ")")
_PHONE_SEPARATORS = str.maketrans("", "", "".join(PHONE_SEPARATORS))
_REFERENCE_RE = re.compile(rf"^{REFERENCE_PREFIX}[-\s]?(\d{{4}})[-\s]?(\d{{6,9}})$", re.I)
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}$")
_PHONE_RE = re.compile(r"^(?:0\d{9}|\+\d{8,15})$")


@dataclass(frozen=True)
class Lookups:
    """The exact values a query names (empty strings: not this kind)."""

    reference: str = ""
    email: str = ""
    phone: str = ""
    foreign_number: str = ""
    dossier_number: str = ""

    def __bool__(self) -> bool:
        return any(self.__dict__.values())


def phone_key(raw: str) -> str:
    """A phone number as the indexed key writes it: no separators, +33 turned into 0."""
    return raw.translate(_PHONE_SEPARATORS).replace("+33", "0")


def phone_key_sql(phone: ColumnElement[str | None]) -> ColumnElement[str]:
    """The indexed phone key in SQL: the same replacements, constants inlined for the index."""
    key: ColumnElement[str] = phone  # type: ignore[assignment]
    for separator in PHONE_SEPARATORS:
        key = func.replace(key, literal_column(f"'{separator}'"), literal_column("''"))
    return func.replace(key, literal_column("'+33'"), literal_column("'0'"))


def exact_lookups(query: str) -> Lookups:
    """What the whole query names exactly, if it is one reference, address or number."""
    text = query.strip()
    if not text or len(text) > 254:
        return Lookups()
    reference = ""
    if match := _REFERENCE_RE.match(text):
        reference = f"{REFERENCE_PREFIX}-{match.group(1)}-{match.group(2)}"
    email = text.lower() if _EMAIL_RE.match(text) else ""
    phone = phone_key(text) if _PHONE_RE.match(phone_key(text)) else ""
    compact = text.replace(" ", "")
    foreign = compact if is_foreign_number(compact) else ""
    return Lookups(
        reference=reference,
        email=email,
        phone=phone,
        foreign_number=foreign,
        dossier_number=normalise_dossier_number(text) or "",
    )


def lookup_condition(lookups: Lookups, table: type[Ticket] = Ticket) -> ColumnElement[bool]:
    """The tickets (of this table or alias) whose own columns equal what the query names."""
    conditions: list[ColumnElement[bool]] = []
    if lookups.reference:
        conditions.append(col(table.reference) == lookups.reference)
    if lookups.email:
        conditions.append(func.lower(col(table.requester_email)) == lookups.email)
    if lookups.phone:
        conditions.append(phone_key_sql(col(table.requester_phone)) == lookups.phone)  # type: ignore[arg-type]
    if lookups.foreign_number:
        conditions.append(col(table.requester_foreign_number) == lookups.foreign_number)
    if lookups.dossier_number:
        conditions.append(col(table.dossier_number) == lookups.dossier_number)
    return or_(*conditions) if conditions else false()


def lookup_ids(lookups: Lookups) -> list[Select[Any]]:
    """One indexed select of ticket ids per exact lookup (an alias: never correlated)."""
    exact = aliased(Ticket, name="exact_ticket")
    selects: list[Select[Any]] = []
    for name, value in lookups.__dict__.items():
        if value:
            condition = lookup_condition(Lookups(**{name: value}), exact)
            selects.append(select(col(exact.id)).where(condition))
    return selects
