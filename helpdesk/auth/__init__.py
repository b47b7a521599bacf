"""Agents, roles, organisations, sessions and guards."""
