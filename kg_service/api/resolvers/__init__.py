"""Root query fields, one module per feature; :mod:`kg_service.api.schema` merges them into ``Query``."""
