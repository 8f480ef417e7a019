"""Bodies of the mapping functions, one module per domain (numbers, dates and times, geometry, code look-ups,
text). Each module exports ``SPECS``, the :class:`~kg_service.mapping.functions.FunctionSpec` records it defines;
:func:`kg_service.mapping.functions.function_library` collects them."""
