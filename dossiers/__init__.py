"""Téléprocédure catalog, dossier sources and the reference dossier service."""
