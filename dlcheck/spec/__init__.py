"""Problem files: their schema, loading with positions, and finding them by id."""
