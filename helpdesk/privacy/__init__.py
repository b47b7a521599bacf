"""Personal data (GDPR): retention of what the helpdesk holds, and the usager's rights.

- `retention` applies the retention policy of the settings (a periodic job, idempotent);
- `anonymise` removes the person from a ticket and keeps its statistics;
- `requests` tracks the requests of usagers (access, erasure, rectification) and acts on them;
- `access_export` builds the ZIP answering a right-of-access request;
- `views` (agents' pages) and `public_views` (the "Données personnelles" page).
"""
