"""What the policy refused on things that exist, noted on the session for the audit trail.

A refusal may end the request (an error page) or be caught by a view that shows the page
again with the reason (a 403 beside the form): either way the request's transaction may roll
back, so the web layer records the noted refusals apart, once (see helpdesk.web.audit).
"""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.errors import RefusedObject

NOTED = "audit_refused"  # the key of the noted refusals in Session.info


def noted(session: Session, refused: RefusedObject) -> RefusedObject:
    """Note a refusal on the session and return it (to attach to the error raised)."""
    session.info.setdefault(NOTED, []).append(refused)
    return refused


def take_noted(session: Session) -> list[RefusedObject]:
    """The refusals noted on the session, forgotten there."""
    found: list[RefusedObject] = session.info.pop(NOTED, [])
    return found
