"""``kg ontology publish`` and ``kg ontology versions``: versioned, atomic, recorded ontology publication.

Every published version has a version IRI ``https://data.seoul.go.kr/cps/ontology/{MAJOR.MINOR.PATCH}`` (taken
from the new version's ``owl:versionIRI``/``owl:versionInfo``, which must agree) and a change note.
:func:`publish_version` refuses (a result, not an exception) when

- the new header has no well-formed, agreeing version;
- the version is not greater than the current one (the highest published, or the loaded ontology's header);
- the change is breaking (:mod:`kg_service.ontology.diff`, the store's ontology and reference graphs against the
  new files) and the version is not a new MAJOR, or no migration comes with it: a SPARQL Update file
  (``--migration FILE`` or ``ontology/migrations/{version}.ru`` in the new tree) or changed mapping rules
  (their hash differs from the one recorded at the last publication);
- the migration does not parse as SPARQL Update, or uses ``LOAD`` or ``SERVICE`` (network access; the service
  is offline) or names the store's internal graphs.

Otherwise it applies the version in one store transaction
(:meth:`~kg_service.store.embedded.EmbeddedStore.replace_graphs_and_update`): the new ontology and reference
graphs replace the old ones, the migration runs, the graphs' source hashes are updated and a PROV-O record is
added to the system graph — readers see the old version or the new one, never a mixture, and a failing
migration changes nothing.

The record (in ``…/graph/system``): a ``prov:Activity`` ``…/id/ontology-publication/{version}`` with
``dct:description`` (the note), ``prov:startedAtTime``/``prov:endedAtTime``, ``prov:generated`` the version IRI
and ``prov:used`` the previous version IRI, the migration and the mapping rules (each a ``prov:Plan``); the
version IRI is a ``prov:Entity`` with ``owl:versionInfo``, ``prov:wasRevisionOf`` the previous version and
``dct:isVersionOf`` the ontology. The store record is the source of truth for what was published;
``kg ontology versions --markdown`` renders it as a change log for the repository.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier

from kg_service.bootstrap import SOURCE_HASH_KEY, graph_sources
from kg_service.errors import EXIT_OK, EXIT_PROBLEMS, OntologyError
from kg_service.ontology.diff import OntologyDiff, OntologyVersionGraphs, diff_versions, read_version
from kg_service.ontology.impact import scan_mappings
from kg_service.ontology.rendering import short
from kg_service.ontology.sources import parse_turtle_files
from kg_service.ontology.trees import ProjectTree
from kg_service.ontology.version import VERSION_IRI_BASE, SemanticVersion, read_header
from kg_service.store.embedded import STAGING_PREFIX, EmbeddedStore
from kg_service.vocab import (
    DCT,
    ID,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    PROV,
    REFERENCE_GRAPH,
    SYSTEM_GRAPH,
    instance_iri,
)

PublishStatus = Literal["published", "refused", "dry-run"]
Triple = tuple[Identifier, Identifier, Identifier]

MIGRATIONS_DIR: Final = "migrations"
_MIGRATION_IRI_BASE: Final = f"{ID}migration/"
MAX_MIGRATION_BYTES: Final = 1024 * 1024
MAX_NOTE_CHARS: Final = 4000
_FORBIDDEN_IN_MIGRATION: Final = (
    (
        re.compile(r"(?<![\w:\-])LOAD\s+(?:SILENT\s+)?(?:<|[A-Za-z][\w\-.]*:|:)", re.IGNORECASE),
        "LOAD (fetches from the network)",
        "LOAD(네트워크에서 가져옴)",
    ),
    (
        re.compile(r"(?<![\w:\-])SERVICE\s+(?:SILENT\s+)?(?:[<?$]|[A-Za-z][\w\-.]*:|:)", re.IGNORECASE),
        "SERVICE (federated query over the network)",
        "SERVICE(네트워크 연합 질의)",
    ),
    (re.compile(re.escape("urn:kg-service:")), "the store's internal graphs", "저장소 내부 그래프"),
)
_VERSIONS_QUERY: Final = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?activity ?version ?info ?note ?started ?ended ?previous ?summary WHERE {{
  GRAPH <{SYSTEM_GRAPH}> {{
    ?activity prov:generated ?version ; prov:endedAtTime ?ended .
    ?version owl:versionInfo ?info .
    OPTIONAL {{ ?activity dct:description ?note }}
    OPTIONAL {{ ?activity prov:startedAtTime ?started }}
    OPTIONAL {{ ?activity rdfs:comment ?summary }}
    OPTIONAL {{ ?version prov:wasRevisionOf ?previous }}
  }}
  FILTER(STRSTARTS(STR(?version), "{VERSION_IRI_BASE}"))
}}
"""
_PLANS_QUERY: Final = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?plan ?label ?identifier WHERE {{
  GRAPH <{SYSTEM_GRAPH}> {{
    ?activity prov:used ?plan . ?plan a prov:Plan .
    OPTIONAL {{ ?plan rdfs:label ?label }}
    OPTIONAL {{ ?plan dct:identifier ?identifier }}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    """One publication as recorded in the system graph."""

    version: str
    version_iri: str
    activity: str
    note: str
    started_at: str | None
    ended_at: str
    previous: str | None
    summary: str = ""
    migration: str | None = None
    mappings_hash: str | None = None


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """What :func:`publish_version` did, or why it refused.

    ``refusals`` and ``warnings`` are ``(English, Korean)`` pairs. ``triples_before``/``triples_after`` are the
    ontology graph's sizes around the publication (``after`` equals ``before`` when nothing was written).
    """

    status: PublishStatus
    version: str | None
    previous_version: str | None
    diff: OntologyDiff | None
    refusals: tuple[tuple[str, str], ...] = ()
    warnings: tuple[tuple[str, str], ...] = ()
    migration: str | None = None
    mapping_change: bool = False
    triples_before: int = 0
    triples_after: int = 0
    activity: str | None = None

    def exit_code(self) -> int:
        """0 published (or a dry run that would publish), 1 refused."""
        return EXIT_PROBLEMS if self.status == "refused" else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        """The outcome as plain data for JSON."""
        return {
            "status": self.status,
            "version": self.version,
            "previous_version": self.previous_version,
            "refusals": [{"en": en, "ko": ko} for en, ko in self.refusals],
            "warnings": [{"en": en, "ko": ko} for en, ko in self.warnings],
            "migration": self.migration,
            "mapping_change": self.mapping_change,
            "triples_before": self.triples_before,
            "triples_after": self.triples_after,
            "activity": self.activity,
            "exit_code": self.exit_code(),
            "diff": self.diff.as_dict() if self.diff is not None else None,
        }


def publish_version(
    store: EmbeddedStore,
    new: ProjectTree,
    *,
    note: str,
    migration: Path | None = None,
    current_mappings_dir: Path | None = None,
    dry_run: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> PublishOutcome:
    """Check and (unless ``dry_run``) publish the ontology in ``new`` to ``store``; see the module docstring.

    ``current_mappings_dir`` is the mapping rules in use, for detecting a mapping change when no publication
    has recorded one yet. Raises :class:`OntologyError` when the note is empty or too long, a file cannot be
    read, or the migration fails while running (then nothing was written).
    """
    now = clock or (lambda: datetime.now(UTC))
    started = _timestamp(now())
    text = note.strip()
    if not text or len(text) > MAX_NOTE_CHARS:
        raise OntologyError(
            f"a change note of 1 to {MAX_NOTE_CHARS} characters is required",
            f"1~{MAX_NOTE_CHARS}자의 변경 설명(--note)이 필요합니다",
            hint='say what changed and why, for example --note "add cps:chargingPoints for EV chargers"',
        )
    proposed = read_version(new.ontology_dir, label=new.label)
    header = read_header(proposed.ontology)
    current_graphs = OntologyVersionGraphs(
        "store", _graph(store, str(ONTOLOGY_GRAPH)), _graph(store, str(REFERENCE_GRAPH))
    )
    current_header = read_header(current_graphs.ontology)
    published = list_versions(store)
    current = max(
        [v for v in (current_header.version, *(SemanticVersion.parse(p.version) for p in published)) if v],
        default=None,
    )
    refusals: list[tuple[str, str]] = list(header.problems)
    warnings: list[tuple[str, str]] = []
    version = header.version
    if current is not None and version is not None and not version > current:
        refusals.append(
            (
                f"version {version} is not greater than the current version {current}",
                f"버전 {version}이(가) 현재 버전 {current}보다 크지 않습니다",
            )
        )
    if current_header.version is not None and published:
        latest = max(published, key=lambda p: SemanticVersion.parse(p.version) or SemanticVersion(0, 0, 0))
        if latest.version != str(current_header.version):
            warnings.append(
                (
                    f"the store's ontology graph is {current_header.version} but the last publication was "
                    f"{latest.version} (was 'kg init' run with other files?)",
                    f"저장소의 온톨로지 그래프는 {current_header.version}인데 마지막 게시는 {latest.version}입니다",
                )
            )
    diff = diff_versions(current_graphs, proposed)
    migration_path = migration
    if migration_path is None and version is not None:
        shipped = new.ontology_dir / MIGRATIONS_DIR / f"{version}.ru"
        migration_path = shipped if shipped.is_file() else None
    migration_text = ""
    if migration_path is not None:
        migration_text, problems = read_migration(migration_path)
        refusals.extend(problems)
    mappings_hash = _mappings_hash(new.mappings_dir)
    previous_mappings_hash = next(
        (p.mappings_hash for p in reversed(_sorted(published)) if p.mappings_hash), None
    ) or _mappings_hash(current_mappings_dir)
    mapping_change = (
        mappings_hash is not None
        and previous_mappings_hash is not None
        and mappings_hash != previous_mappings_hash
    )
    if mapping_change and diff.breaking and new.mappings_dir is not None:
        # Changed rules count as a migration only if they no longer produce removed or renamed terms.
        gone = {
            term: changes
            for term, changes in diff.affected_terms().items()
            if any(c.kind in ("removed", "renamed") and c.breaking for c in changes)
        }
        still_used = scan_mappings(new.mappings_dir, gone, [])
        if still_used:
            mapping_change = False
            first = still_used[0]
            warnings.append(
                (
                    f"the mapping rules changed but still use {short(first.term)} ({first.file}:{first.line}), "
                    "so they are not a migration",
                    f"매핑 규칙이 바뀌었지만 여전히 {short(first.term)}을(를) 씁니다({first.file}:{first.line}). 마이그레이션으로 볼 수 없습니다",
                )
            )
    if diff.breaking and version is not None:
        if current is not None and version.major <= current.major:
            refusals.append(
                (
                    f"the change is breaking, so it needs a new MAJOR version (greater than {current.major}.x.x); "
                    f"{version} is not one",
                    f"호환되지 않는 변경이므로 새 MAJOR 버전({current.major}.x.x보다 큰)이 필요합니다. {version}은(는) 아닙니다",
                )
            )
        if not migration_text and not mapping_change:
            refusals.append(
                (
                    f"the change is breaking and comes with no migration: add {new.ontology_dir.name}/"
                    f"{MIGRATIONS_DIR}/{version}.ru (SPARQL Update) or pass --migration, or change the mapping rules",
                    f"호환되지 않는 변경인데 마이그레이션이 없습니다: {MIGRATIONS_DIR}/{version}.ru(SPARQL Update)를 "
                    "추가하거나 --migration을 주거나 매핑 규칙을 바꾸세요",
                )
            )
    elif version is not None and current is not None and not refusals:
        warnings.extend(_bump_warnings(diff, current, version))
    before = _size(store, str(ONTOLOGY_GRAPH))
    base = PublishOutcome(
        "refused" if refusals else "dry-run",
        str(version) if version else header.version_info,
        str(current) if current else None,
        diff,
        tuple(refusals),
        tuple(warnings),
        str(migration_path) if migration_path else None,
        mapping_change,
        before,
        before,
    )
    if refusals or dry_run or version is None:
        return base
    activity = instance_iri("ontology-publication", str(version))
    record = _record(
        activity=activity,
        version=version,
        previous=current,
        note=text,
        started=started,
        ended=_timestamp(now()),
        diff=diff,
        ontology_hash=graph_sources(new.ontology_dir)[0].content_hash(),
        migration=(_migration_label(migration_path, new.ontology_dir), migration_text)
        if migration_path is not None and migration_text
        else None,
        mappings_hash=mappings_hash,
    )
    sources = {source.graph: source for source in graph_sources(new.ontology_dir)}
    try:
        sizes = store.replace_graphs_and_update(
            {graph: parse_turtle_files(source.files) for graph, source in sources.items()},
            metadata={graph: {SOURCE_HASH_KEY: source.content_hash()} for graph, source in sources.items()},
            record_graph=str(SYSTEM_GRAPH),
            record=record,
            then=migration_text,
        )
    except (SyntaxError, RuntimeError) as exc:
        raise OntologyError(
            f"the publication failed and nothing was changed: {exc}",
            f"게시에 실패했으며 아무것도 바뀌지 않았습니다: {exc}",
            hint="fix the migration (it ran against the store's data) and publish again",
        ) from exc
    return PublishOutcome(
        "published",
        str(version),
        str(current) if current else None,
        diff,
        (),
        tuple(warnings),
        str(migration_path) if migration_path else None,
        mapping_change,
        before,
        sizes[str(ONTOLOGY_GRAPH)],
        str(activity),
    )


def read_migration(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """The migration's text and what is wrong with it (empty when it may run).

    It must be UTF-8, at most :data:`MAX_MIGRATION_BYTES`, parse as SPARQL 1.1 Update (checked by running it
    against an empty in-memory store), and use neither ``LOAD`` nor ``SERVICE`` nor the store's internal graphs.
    """
    problems: list[tuple[str, str]] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OntologyError(
            f"cannot read the migration {path}: {exc.strerror or exc}",
            f"마이그레이션 {path}을(를) 읽을 수 없습니다: {exc.strerror or exc}",
            hint="give the path of a SPARQL Update file in the repository",
        ) from exc
    if len(data) > MAX_MIGRATION_BYTES:
        return "", [(f"{path.name} is larger than 1 MiB", f"{path.name}이(가) 1 MiB보다 큽니다")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "", [(f"{path.name} is not UTF-8", f"{path.name}이(가) UTF-8이 아닙니다")]
    for pattern, what_en, what_ko in _FORBIDDEN_IN_MIGRATION:
        if pattern.search(text):
            problems.append(
                (
                    f"{path.name} uses {what_en}, which migrations may not",
                    f"{path.name}에 허용되지 않는 {what_ko}이(가) 있습니다",
                )
            )
    if problems:
        return text, problems
    try:
        ox.Store().update(text)
    except SyntaxError as exc:
        problems.append(
            (
                f"{path.name} is not valid SPARQL Update: {exc}",
                f"{path.name}이(가) 올바른 SPARQL Update가 아닙니다: {exc}",
            )
        )
    except RuntimeError:
        pass  # it parsed; what it does depends on the store's data (an empty store is not representative)
    return text, problems


def list_versions(store: EmbeddedStore) -> list[PublishedVersion]:
    """The published versions recorded in the system graph, oldest first."""
    plans: dict[str, tuple[str, str]] = {}
    for row in store.select(_PLANS_QUERY):
        plans[str(row["plan"])] = (str(row.get("label", "")), str(row.get("identifier", "")))
    versions: dict[str, PublishedVersion] = {}
    for row in store.select(_VERSIONS_QUERY):
        activity = str(row["activity"])
        migration, mappings_hash = _plans_of(store, activity, plans)
        versions[str(row["version"])] = PublishedVersion(
            version=str(row["info"]),
            version_iri=str(row["version"]),
            activity=activity,
            note=str(row.get("note", "")),
            started_at=str(row["started"]) if "started" in row else None,
            ended_at=str(row["ended"]),
            previous=str(row["previous"]) if "previous" in row else None,
            summary=str(row.get("summary", "")),
            migration=migration,
            mappings_hash=mappings_hash,
        )
    return _sorted(list(versions.values()))


def loaded_version(store: EmbeddedStore) -> str | None:
    """The version in the header of the store's ontology graph (loaded by ``kg init`` or a publication)."""
    header = read_header(_graph(store, str(ONTOLOGY_GRAPH)))
    return str(header.version) if header.version else header.version_info


def render_changelog(versions: list[PublishedVersion]) -> str:
    """The published versions as a Markdown change log, newest first (for ``ontology/CHANGELOG.md``)."""
    lines = [
        "# 온톨로지 변경 이력 / Ontology change log",
        "",
        "Generated by `kg ontology versions --markdown` from the publication records in the store "
        "(the source of truth). 저장소의 게시 기록에서 생성.",
        "",
    ]
    for version in reversed(versions):
        lines.append(f"## {version.version} — {version.ended_at[:10]}")
        lines.append("")
        lines.append(f"- version IRI: <{version.version_iri}>")
        if version.previous:
            lines.append(f"- previous: <{version.previous}>")
        if version.summary:
            lines.append(f"- changes: {version.summary}")
        if version.migration:
            lines.append(f"- migration: `{version.migration}`")
        lines.append("")
        lines.extend(version.note.splitlines() or [""])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- internals ------------------------------------------------------------------------------------------------


def _record(
    *,
    activity: URIRef,
    version: SemanticVersion,
    previous: SemanticVersion | None,
    note: str,
    started: str,
    ended: str,
    diff: OntologyDiff,
    ontology_hash: str,
    migration: tuple[str, str] | None,
    mappings_hash: str | None,
) -> list[Triple]:
    entity = version.iri
    summary = _summary(diff)
    triples: list[Triple] = [
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, RdfLiteral(f"온톨로지 {version} 게시", lang="ko")),
        (activity, RDFS.label, RdfLiteral(f"Publication of ontology version {version}", lang="en")),
        (activity, DCT.description, RdfLiteral(note)),
        (activity, RDFS.comment, RdfLiteral(summary)),
        (activity, PROV.startedAtTime, RdfLiteral(started, datatype=XSD.dateTime)),
        (activity, PROV.endedAtTime, RdfLiteral(ended, datatype=XSD.dateTime)),
        (activity, PROV.generated, entity),
        (entity, RDF.type, PROV.Entity),
        (entity, OWL.versionInfo, RdfLiteral(str(version))),
        (entity, DCT.isVersionOf, URIRef(ONTOLOGY_IRI)),
        (entity, DCT.identifier, RdfLiteral(f"sha256:{ontology_hash}")),
        (entity, PROV.wasGeneratedBy, activity),
    ]
    if previous is not None:
        triples.append((activity, PROV.used, previous.iri))
        triples.append((entity, PROV.wasRevisionOf, previous.iri))
    if migration is not None:
        label, text = migration
        plan = instance_iri("migration", str(version))
        triples += [
            (activity, PROV.used, plan),
            (plan, RDF.type, PROV.Plan),
            (plan, RDFS.label, RdfLiteral(label)),
            (plan, DCT.identifier, RdfLiteral("sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest())),
        ]
    if mappings_hash is not None:
        rules = instance_iri("rules", f"mappings@{mappings_hash}")
        triples += [
            (activity, PROV.used, rules),
            (rules, RDF.type, PROV.Plan),
            (rules, RDFS.label, RdfLiteral("mappings/")),
            (rules, DCT.identifier, RdfLiteral(f"mappings-sha256:{mappings_hash}")),
        ]
    return triples


def _plans_of(
    store: EmbeddedStore, activity: str, plans: dict[str, tuple[str, str]]
) -> tuple[str | None, str | None]:
    migration: str | None = None
    mappings_hash: str | None = None
    for used in store.objects(URIRef(activity), PROV.used, str(SYSTEM_GRAPH)):
        label, identifier = plans.get(str(used), ("", ""))
        if identifier.startswith("mappings-sha256:"):
            mappings_hash = identifier.removeprefix("mappings-sha256:")
        elif str(used).startswith(_MIGRATION_IRI_BASE):
            migration = label
    return migration, mappings_hash


def _summary(diff: OntologyDiff) -> str:
    counts = {kind: len(diff.of_kind(kind)) for kind in ("added", "removed", "renamed", "changed")}
    breaking = sum(c.breaking for c in diff.changes)
    return (
        f"{counts['added']} added, {counts['removed']} removed, {counts['renamed']} renamed, "
        f"{counts['changed']} changed; {breaking} breaking; required bump {diff.required_bump}"
    )


def _bump_warnings(
    diff: OntologyDiff, current: SemanticVersion, version: SemanticVersion
) -> list[tuple[str, str]]:
    bump = diff.required_bump
    if bump == "minor" and version.major == current.major and version.minor == current.minor:
        return [
            (
                f"the change adds or changes terms, which the editor's guide versions as MINOR; {version} is a PATCH",
                f"용어 추가·변경은 편집 안내에 따라 MINOR 버전입니다. {version}은(는) PATCH입니다",
            )
        ]
    return []


def _mappings_hash(directory: Path | None) -> str | None:
    if directory is None or not directory.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")]):
        digest.update(
            path.relative_to(directory).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0"
        )
    return digest.hexdigest()[:16]


def _sorted(versions: list[PublishedVersion]) -> list[PublishedVersion]:
    return sorted(versions, key=lambda v: SemanticVersion.parse(v.version) or SemanticVersion(0, 0, 0))


def _graph(store: EmbeddedStore, graph: str) -> Graph:
    result = Graph()
    for triple in store.triples(graph):
        result.add(triple)
    return result


def _size(store: EmbeddedStore, graph: str) -> int:
    return sum(
        s.triples for s in store.graph_sizes() if s.graph == graph and not s.graph.startswith(STAGING_PREFIX)
    )


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _migration_label(path: Path, ontology_dir: Path) -> str:
    """How the migration is named in the record: its place in the repository, or its file name."""
    if path.resolve().parent == (ontology_dir / MIGRATIONS_DIR).resolve():
        return f"ontology/{MIGRATIONS_DIR}/{path.name}"
    return path.name
