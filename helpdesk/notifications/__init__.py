"""Outgoing e-mail: queued in the outbox, sent by a job through SMTP or written to var/mail."""
