"""Incidents, release notes and incident notices, and their read receipts."""
