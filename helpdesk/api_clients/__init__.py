"""Machine clients of the JSON API: declared by an administrator, authenticated by a bearer key."""
