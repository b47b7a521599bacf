"""Dossiers in the helpdesk: the ticket's dossier panel, attaching, and dossier events."""
