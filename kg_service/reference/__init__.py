"""Reference data of the knowledge graph (areas, platforms, departments, standards), built from sources."""
