"""Web plumbing shared by every area: middleware, dependencies, templates, error pages."""
