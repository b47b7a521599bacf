"""Administration pages (dead letters of the job runtime for now)."""
