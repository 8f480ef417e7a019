"""The ontology as files: finding them, loading them, checking them (and later diffing and publishing)."""
