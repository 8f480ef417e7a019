"""Mapping rules: lift department data (CSV, JSON, XML, GeoJSON, XLSX, NGSI-LD) into the graph.

Every accepted rule syntax (YARRRML, RML Turtle) compiles to one internal rule model
(:mod:`kg_service.mapping.rules`); only that model is checked and executed.
"""
