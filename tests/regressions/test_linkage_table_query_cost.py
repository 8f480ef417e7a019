"""Regression: the linkage table with its contributors was refused by the query-cost limit.

The cost estimate counted every unpaginated list at ``default_page_size`` (100) items, so the linkage table's
nested lists (rows × cells × contributors) came to about four million values against a limit of 50,000, and
no client, the web pages included, could ask for the table over HTTP. ``ASSUMED_LIST_SIZES`` counts the lists
whose length the schema bounds (seven cells, one per CPS function) at that length.
"""

from __future__ import annotations

from kg_service.api.limits import ASSUMED_LIST_SIZES, RequestLimits, check_document, parse_document
from kg_service.api.schema import build_schema
from kg_service.config import Settings

# The query the front page sends (kg_service/web/static/kg-linkage.js).
LINKAGE_TABLE_QUERY = (
    "query LinkageTable($department: String) { linkageTable(departmentCode: $department) { "
    "department { code label { ko en } } functions { iri name notation label { ko en } } "
    "rows { iri kind code label { ko en } department { iri code label { ko en } } "
    "cells { filled sensorCount contributors { iri relation label { ko en } } } } } }"
)


def test_the_linkage_table_with_its_contributors_fits_the_default_query_cost() -> None:
    limits = RequestLimits.from_settings(Settings())
    schema = build_schema()._schema
    document = parse_document(LINKAGE_TABLE_QUERY, limits)
    assert check_document(document, schema, limits, {"department": None}) == []


def test_every_assumed_list_size_names_a_list_field_of_the_schema() -> None:
    schema = build_schema()._schema
    for (type_name, field_name), size in ASSUMED_LIST_SIZES.items():
        parent = schema.get_type(type_name)
        assert parent is not None, type_name
        field = parent.fields.get(field_name)  # type: ignore[union-attr]
        assert field is not None, (type_name, field_name)
        assert "[" in str(field.type), (type_name, field_name)
        assert size > 0
