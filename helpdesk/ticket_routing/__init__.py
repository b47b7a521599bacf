"""Routing, classification, assignment and SLAs of tickets (the helpdesk side of routing/)."""
