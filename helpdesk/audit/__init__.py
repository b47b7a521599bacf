"""The audit trail: an append-only record of who saw and did what, from where."""
