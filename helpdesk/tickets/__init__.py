"""Tickets: models, the core service, the agent console views and tasks."""
