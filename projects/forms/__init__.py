"""Forms of partnerships and the results commons: one module per area (forms only validate)."""
