"""The support chain, routing rules, classification, SLAs and calendars (pure where possible)."""
