"""The point bimensuel: tickets still open between levels, on a page and in exports."""
