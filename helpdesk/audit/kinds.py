"""The kinds of audit event, each with the French label the admin page shows."""

from __future__ import annotations

from enum import StrEnum


class AuditKind(StrEnum):
    """Every kind of audit row; the stored value is the member's value."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SESSION_EXPIRED = "session_expired"
    ACCESS_REFUSED = "access_refused"
    TICKET_VIEWED = "ticket_viewed"
    ATTACHMENT_DOWNLOADED = "attachment_downloaded"
    EXPORTED = "exported"
    PRINTED = "printed"
    ACCOUNT_CREATED = "account_created"
    ROLE_CHANGED = "role_changed"
    MEMBERSHIP_CHANGED = "membership_changed"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    API_CLIENT_CREATED = "api_client_created"
    API_CLIENT_ROTATED = "api_client_rotated"
    API_CLIENT_REVOKED = "api_client_revoked"
    FOLLOW_UP_LINK_REVOKED = "follow_up_link_revoked"
    RETENTION_RUN = "retention_run"
    ACCESS_REQUEST_OPENED = "access_request_opened"
    ACCESS_REQUEST_EXPORTED = "access_request_exported"
    REQUESTER_ANONYMISED = "requester_anonymised"
    REQUESTER_RECTIFIED = "requester_rectified"

    @property
    def label(self) -> str:
        """The French label of the admin page."""
        return AUDIT_LABELS[self]


AUDIT_LABELS: dict[AuditKind, str] = {
    AuditKind.SIGN_IN: "Connexion",
    AuditKind.SIGN_IN_FAILED: "Échec de connexion",
    AuditKind.SIGN_OUT: "Déconnexion",
    AuditKind.SESSION_EXPIRED: "Session expirée",
    AuditKind.ACCESS_REFUSED: "Accès refusé",
    AuditKind.TICKET_VIEWED: "Ticket consulté",
    AuditKind.ATTACHMENT_DOWNLOADED: "Pièce jointe téléchargée",
    AuditKind.EXPORTED: "Export",
    AuditKind.PRINTED: "Impression",
    AuditKind.ACCOUNT_CREATED: "Compte créé",
    AuditKind.ROLE_CHANGED: "Rôle modifié",
    AuditKind.MEMBERSHIP_CHANGED: "Files modifiées",
    AuditKind.ACCOUNT_DISABLED: "Compte désactivé",
    AuditKind.ACCOUNT_ENABLED: "Compte réactivé",
    AuditKind.API_CLIENT_CREATED: "Client d'API créé",
    AuditKind.API_CLIENT_ROTATED: "Secret de client d'API renouvelé",
    AuditKind.API_CLIENT_REVOKED: "Client d'API révoqué",
    AuditKind.FOLLOW_UP_LINK_REVOKED: "Lien de suivi révoqué",
    AuditKind.RETENTION_RUN: "Application des durées de conservation",
    AuditKind.ACCESS_REQUEST_OPENED: "Demande de droit d'accès enregistrée",
    AuditKind.ACCESS_REQUEST_EXPORTED: "Export au titre du droit d'accès",
    AuditKind.REQUESTER_ANONYMISED: "Demandeur anonymisé",
    AuditKind.REQUESTER_RECTIFIED: "Coordonnées du demandeur rectifiées",
}
