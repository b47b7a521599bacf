"""The reference dossier service: a small separate HTTP service implementing the dossier API."""
