"""Helpers for the ontology-editing tests: copies of the repository's standards with one change seeded each.

A *tree* is a ``tmp_path`` directory laid out like the repository root: copies of ``ontology/``, ``shapes/`` and
``mappings/``, plus a small rule file, a dataset catalogue, a query module and a GraphQL type module written
here (so the tests do not depend on which production rules and queries exist yet). A *store* is an embedded
store initialised from a tree with one small dataset graph of two sensors.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from rdflib import RDF, RDFS, Literal, URIRef

from kg_service.bootstrap import initialise_store
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import CPS, ID, dataset_graph

REPO_ROOT = Path(__file__).resolve().parents[1]
CPS_NS = str(CPS)
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
DATASET = "test-sensors"
DEPARTMENT = "digital-city"

RULES = """\
# Test rule file: a sensor registry (serial, category, model, dong) -> sensors.
name: test-sensors
prefixes:
  cps: https://data.seoul.go.kr/cps/ontology#
  id: https://data.seoul.go.kr/cps/id/
sources:
  registry:
    access: sensors.csv
    referenceFormulation: csv
mappings:
  sensor:
    sources: registry
    s: id:sensor/$(serial)
    po:
      - [a, cps:Sensor]
      - [cps:sdotSerial, $(serial)]
      - [cps:siteCategory, $(category)]
      - [cps:modelName, $(model)]
      - [cps:inDong, id:dong/$(dong)~iri]
"""

CATALOGUE = f"""\
datasets:
  {DATASET}:
    title_ko: 시험 센서 목록
    title_en: test sensor registry
    department: {DEPARTMENT}
    rules: test_sensors.yaml
    shapes: [common.ttl]
    mode: replace
"""

QUERIES = '''\
"""Test query module: sensors of a district."""

from kg_service.vocab import CPS

CPS_NS = str(CPS)

SENSORS_IN_DISTRICT_QUERY = """
PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>
SELECT ?sensor WHERE {
  ?sensor a cps:Sensor ;
          cps:inDistrict ?district .
}
"""

MODEL_NAME = CPS_NS + "modelName"


def sensors_in_district(store, district):
    """The sensors of one district."""
    return store.select(SENSORS_IN_DISTRICT_QUERY, {"district": district})


def sensor_models(reader, iris):
    """Each sensor's model name."""
    return {iri: reader.literal(iri, MODEL_NAME) for iri in iris}
'''

API = '''\
"""Test GraphQL types (parsed, never imported)."""

import strawberry

from kg_service.queries import sensor_queries


@strawberry.type
class SensorQuery:
    @strawberry.field
    def sensors_in_district(self, info, district: str) -> list[str]:
        return sensor_queries.sensors_in_district(info.context.store, district)

    @strawberry.field(name="models")
    def sensor_models(self, info, iris: list[str]) -> list[str]:
        return list(sensor_queries.sensor_models(info.context.reader, iris).values())

    @strawberry.field
    def version(self) -> str:
        return "1"
'''


def make_tree(root: Path) -> Path:
    """A tree at ``root`` (see the module docstring); returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for part in ("ontology", "shapes", "mappings"):
        shutil.copytree(REPO_ROOT / part, root / part)
    (root / "mappings" / "test_sensors.yaml").write_text(RULES, encoding="utf-8")
    (root / "mappings" / "datasets.yaml").write_text(CATALOGUE, encoding="utf-8")
    queries = root / "kg_service" / "queries"
    queries.mkdir(parents=True)
    (queries / "sensor_queries.py").write_text(QUERIES, encoding="utf-8")
    api = root / "kg_service" / "api"
    api.mkdir(parents=True)
    (api / "sensor_types.py").write_text(API, encoding="utf-8")
    return root


def edit(path: Path, old: str, new: str, *, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in ``path`` (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append(path: Path, text: str) -> None:
    """Add Turtle (or any text) at the end of ``path``."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text)


def rename_everywhere(ontology_dir: Path, old: str, new: str) -> None:
    """Rename the ``cps:`` term ``old`` to ``new`` in every ontology file (no deprecated copy is kept)."""
    pattern = re.compile(rf"cps:{re.escape(old)}\b")
    for path in ontology_dir.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        path.write_text(pattern.sub(f"cps:{new}", text), encoding="utf-8")


def set_version(ontology_dir: Path, version: str) -> None:
    """Set ``owl:versionIRI`` and ``owl:versionInfo`` of the header in ``core.ttl``."""
    core = ontology_dir / "core.ttl"
    text = core.read_text(encoding="utf-8")
    text = re.sub(
        r"<https://data\.seoul\.go\.kr/cps/ontology/\d+\.\d+\.\d+>",
        f"<https://data.seoul.go.kr/cps/ontology/{version}>",
        text,
        count=1,
    )
    text = re.sub(r'owl:versionInfo "\d+\.\d+\.\d+"', f'owl:versionInfo "{version}"', text, count=1)
    core.write_text(text, encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def sensor_triples() -> list[tuple[URIRef, URIRef, object]]:
    """Two sensors: T1 complete, T2 without model name and coordinates. Both conform to the shipped shapes."""
    t1, t2 = URIRef(f"{ID}sensor/T1"), URIRef(f"{ID}sensor/T2")
    district = URIRef(f"{ID}district/11110")
    return [
        (t1, RDF.type, CPS.Sensor),
        (t1, RDF.type, CPS.EnvironmentalSensor),
        (t1, CPS.sdotSerial, Literal("T1")),
        (t1, CPS.modelName, Literal("SDOT001")),
        (t1, CPS.siteCategory, Literal("도로")),
        (t1, CPS.inDistrict, district),
        (t1, URIRef(WGS + "lat"), Literal("37.57", datatype=XSD_DECIMAL)),
        (t1, URIRef(WGS + "long"), Literal("126.98", datatype=XSD_DECIMAL)),
        (t1, RDFS.label, Literal("센서 T1", lang="ko")),
        (t2, RDF.type, CPS.Sensor),
        (t2, CPS.sdotSerial, Literal("T2")),
        (t2, CPS.inDistrict, district),
    ]


def make_store(data_dir: Path, tree: Path) -> Path:
    """An embedded store under ``data_dir/store`` with ``tree``'s ontology and the test dataset; closed again."""
    store = EmbeddedStore.open(data_dir / "store")
    try:
        initialise_store(store, tree / "ontology")
        store.replace_graph(str(dataset_graph(DATASET)), sensor_triples())  # type: ignore[arg-type]
    finally:
        store.close()
    return data_dir / "store"
