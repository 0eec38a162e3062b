"""Template tags of the results commons."""
