"""The wiki of the knowledge base: articles, revisions, feedback, help centre, live index."""
