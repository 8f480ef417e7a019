"""The submission pipeline: stage → map → validate → commit | reject, durable and crash-safe.

Guarantees (each has a test):
- Nothing is lost: the payload is stored (fsynced, content-addressed) and recorded before any processing; a
  rejected submission keeps its payload and report.
- Atomic: a commit writes the dataset's triples and the PROV-O record in one store transaction
  (:meth:`EmbeddedStore.commit_delta`); queries never see half a submission.
- Idempotent: the same bytes for the same dataset under the same rules and shapes are committed once; a repeat
  is recorded as a duplicate of the first and says so.
- Crash-safe: :meth:`SubmissionService.recover` finishes or re-runs every unfinished submission; whether a
  commit happened is decided by the PROV record in the store, which is written atomically with the data, so
  none is committed twice.
- Serialised commits: one commit at a time per process (a lock) and per data directory (a file lock).
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rdflib import Graph
from rdflib.namespace import RDF

from kg_service.config import Settings
from kg_service.errors import (
    AuthorizationError,
    LimitExceededError,
    MappingRuleError,
    NotFoundError,
    SourceDataError,
    SubmissionError,
)
from kg_service.mapping.mapping_result import MappingResult
from kg_service.mapping.source_table import CellProblem
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions import context as validation_context
from kg_service.submissions.catalog import DatasetCatalog, DatasetDefinition, load_catalog
from kg_service.submissions.payloads import PayloadStore
from kg_service.submissions.provenance import provenance_triples, submission_iri
from kg_service.submissions.records import SubmissionLog, SubmissionRecord
from kg_service.submissions.report import ReportEntry, SubmissionReport
from kg_service.vocab import (
    CPS,
    ONTOLOGY_GRAPH,
    PROV,
    REFERENCE_GRAPH,
    SYSTEM_GRAPH,
    dataset_graph,
    instance_iri,
)

if TYPE_CHECKING:
    from kg_service.validation.engine import ValidationEngine

Outcome = Literal["committed", "rejected", "duplicate", "valid", "invalid"]


@dataclass(frozen=True, slots=True)
class SubmissionOutcome:
    """What became of a submission (or of a dry run: ``valid`` / ``invalid``, nothing stored)."""

    outcome: Outcome
    report: SubmissionReport
    triples: int
    record: SubmissionRecord | None = None
    duplicate_of: str | None = None
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 committed, duplicate or valid; 1 rejected or invalid."""
        return 0 if self.outcome in ("committed", "duplicate", "valid") else 1

    def as_dict(self) -> dict[str, object]:
        """The outcome as JSON-ready data."""
        return {
            "outcome": self.outcome,
            "submission": self.record.id if self.record else None,
            "dataset": self.record.dataset if self.record else None,
            "triples": self.triples,
            "duplicate_of": self.duplicate_of,
            "summary": self.report.summary("en"),
            "summary_ko": self.report.summary("ko"),
            "report": self.report.as_dict(),
        }


class SubmissionService:
    """The one door for department data. Thread-safe; one instance per process and data directory."""

    def __init__(self, settings: Settings, store: EmbeddedStore, catalog: DatasetCatalog) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.log = SubmissionLog(settings.data_dir / "submissions.sqlite")
        self.payloads = PayloadStore(settings.data_dir / "payloads")
        self.deltas = settings.data_dir / "deltas"
        self._commit_lock = threading.Lock()
        self._ontology_cache: tuple[str, bytes, Graph] | None = None
        self._engines: dict[tuple[str, str, int], ValidationEngine] = {}

    @classmethod
    def open(cls, settings: Settings, store: EmbeddedStore) -> SubmissionService:
        """The service over an open store, with the catalogue from ``mappings/datasets.yaml``."""
        catalog = load_catalog(
            settings.mappings_dir / "datasets.yaml",
            mappings_dir=settings.mappings_dir,
            shapes_dir=settings.shapes_dir,
        )
        return cls(settings, store, catalog)

    # -- the public operations ------------------------------------------------------------------------

    def submit(
        self,
        *,
        department: str,
        dataset: str,
        file_name: str,
        data: bytes,
        submitted_by: str | None = None,
        any_department: bool = False,
        dry_run: bool = False,
    ) -> SubmissionOutcome:
        """Submit ``data`` for ``dataset`` on behalf of ``department``.

        Raises:
            NotFoundError: unknown dataset or department.
            AuthorizationError: the department does not own the dataset (unless ``any_department``).
            LimitExceededError: the file is larger than ``KG_MAX_UPLOAD_BYTES`` (nothing is stored).
        """
        definition = self.catalog.get(dataset)
        self._check_department(department)
        if not any_department and definition.department != department:
            raise AuthorizationError(
                f"department {department!r} may not submit to dataset {dataset!r} (owned by {definition.department!r})",
                f"부서 {department!r}은(는) 데이터셋 {dataset!r}에 제출할 수 없습니다 (담당: {definition.department!r})",
                hint="submit to one of your own department's datasets ('kg datasets' lists owners)",
            )
        file_name = _clean_file_name(file_name)
        if len(data) > self.settings.max_upload_bytes:
            raise LimitExceededError(
                f"{file_name} is {len(data):,} bytes; the limit is {self.settings.max_upload_bytes:,}",
                f"{file_name}의 크기 {len(data):,} 바이트가 한도 {self.settings.max_upload_bytes:,}를 넘습니다",
                hint="split the file, or ask the operator to raise KG_MAX_UPLOAD_BYTES",
            )
        if dry_run:
            mapping, report = self._map_and_validate(definition, data, file_name)
            outcome: Outcome = "valid" if report.accepted else "invalid"
            return SubmissionOutcome(outcome, report, mapping.triple_count if mapping else 0)

        digest = self.payloads.put(data)
        record = self.log.create(
            department=department,
            dataset=dataset,
            file_name=file_name,
            content_sha256=digest,
            size_bytes=len(data),
            rules_version=definition.rules_version(),
            shapes_version=definition.shapes_version(),
            mode=definition.mode,
            submitted_by=submitted_by or department,
        )
        earlier = self.log.committed_duplicate(
            dataset=dataset,
            content_sha256=digest,
            rules_version=record.rules_version,
            shapes_version=record.shapes_version,
            mode=definition.mode,
        )
        if earlier is not None:
            record = self.log.advance(
                record.id,
                "duplicate",
                summary=f"same file already committed as {earlier.id}",
                duplicate_of=earlier.id,
            )
            return SubmissionOutcome(
                "duplicate", SubmissionReport(), 0, record=record, duplicate_of=earlier.id
            )
        fault_point("staged")
        return self._process(record, definition, data)

    def recover(self) -> list[SubmissionRecord]:
        """Finish every submission a crash interrupted: commit what was validated, re-run what was not."""
        finished: list[SubmissionRecord] = []
        for record in self.log.unfinished():
            definition = self.catalog.get(record.dataset)
            if self._commit_is_in_store(record):
                sequence = self._sequence_in_store(record)
                finished.append(self.log.mark_committed(record.id, sequence))
                continue
            delta_path = self._delta_path(record.id)
            if record.status == "validated" and delta_path.exists():
                finished.append(self._commit(record, definition, delta_path.read_bytes()))
                continue
            outcome = self._process(record, definition, self.payloads.get(record.content_sha256))
            if outcome.record is not None:
                finished.append(outcome.record)
        return finished

    def report_of(self, submission_id: str) -> SubmissionReport:
        """The stored report of a submission."""
        record = self.log.get(submission_id)
        return SubmissionReport.from_dict(record.report or {})

    # -- the pipeline ----------------------------------------------------------------------------------

    def _process(
        self, record: SubmissionRecord, definition: DatasetDefinition, data: bytes
    ) -> SubmissionOutcome:
        try:
            mapping, report = self._map_and_validate(definition, data, record.file_name, record=record)
        except (SourceDataError, LimitExceededError, MappingRuleError) as exc:
            entry = ReportEntry("Violation", exc.message, exc.message_ko, record.file_name, source="mapping")
            report = SubmissionReport.from_entries([entry])
            failed = self.log.advance(record.id, "rejected", summary=exc.message, report=report.as_dict())
            self._record_rejection(failed, definition)
            return SubmissionOutcome("rejected", report, 0, record=failed)
        if mapping is None:  # pragma: no cover - only dry runs skip mapping results
            raise SubmissionError("mapping produced no result", "매핑 결과가 없습니다")
        counts = {"triples": mapping.triple_count, "problems": report.total_entries, **report.counts}
        if not report.accepted:
            rejected = self.log.advance(
                record.id, "rejected", counts=counts, summary=report.summary("en"), report=report.as_dict()
            )
            self._record_rejection(rejected, definition)
            return SubmissionOutcome(
                "rejected", report, mapping.triple_count, record=rejected, problems=mapping.problems
            )
        fault_point("mapped")
        delta_path = self._delta_path(record.id)
        delta_path.parent.mkdir(parents=True, exist_ok=True)
        _write_durably(delta_path, mapping.ntriples)
        validated = self.log.advance(
            record.id, "validated", counts=counts, summary=report.summary("en"), report=report.as_dict()
        )
        fault_point("validated")
        committed = self._commit(validated, definition, mapping.ntriples)
        return SubmissionOutcome(
            "committed", report, mapping.triple_count, record=committed, problems=mapping.problems
        )

    def _map_and_validate(
        self,
        definition: DatasetDefinition,
        data: bytes,
        file_name: str,
        *,
        record: SubmissionRecord | None = None,
    ) -> tuple[MappingResult | None, SubmissionReport]:
        from kg_service.mapping.engine import map_file

        mapping = map_file(
            definition.rules_for(file_name),
            data,
            file_name=file_name,
            max_rows=self.settings.max_rows,
            area_index=None,
        )
        if record is not None:
            self.log.advance(record.id, "mapped", counts={"triples": mapping.triple_count})
        entries = [_problem_entry(problem) for problem in mapping.problems]
        if mapping.triple_count > self.settings.max_triples:
            raise LimitExceededError(
                f"{file_name} maps to {mapping.triple_count:,} triples; the limit is {self.settings.max_triples:,}",
                f"{file_name}의 트리플 {mapping.triple_count:,}개가 한도 {self.settings.max_triples:,}를 넘습니다",
                hint="split the file, or ask the operator to raise KG_MAX_TRIPLES",
            )
        # A cell the mapping could not read also leaves its triple missing; SHACL's "missing value" result on
        # the same row and column would say the same thing again, so only the mapping's precise message stays.
        unreadable = {(e.row, e.column) for e in entries if e.row is not None}
        entries.extend(
            entry
            for entry in self._validate(definition, mapping, file_name)
            if not (
                (entry.row, entry.column) in unreadable
                and (entry.constraint or "").endswith("MinCountConstraintComponent")
            )
        )
        return mapping, SubmissionReport.from_entries(entries)

    def _validate(
        self, definition: DatasetDefinition, mapping: MappingResult, file_name: str
    ) -> list[ReportEntry]:

        ontology_ntriples, ontology_graph = self._ontology()
        delta = validation_context.delta_store(mapping.ntriples)
        referenced = validation_context.referenced_entities(delta)
        context = validation_context.context_ntriples(self.store, referenced, ontology_ntriples)
        engine = self._engine_for(definition, ontology_graph)
        report = engine.validate(mapping.ntriples, context=context)
        locator = _Locator(mapping)
        # Stored entities in the context (for example the sensors observations point to) carry only their
        # types; results about them are not about this submission, so only the delta's own subjects count.
        described = validation_context.delta_subjects(delta)
        entries: list[ReportEntry] = []
        for result in report.results:
            if result.focus_node not in described:
                continue
            for row, column in locator.locate(str(result.focus_node), result.result_path):
                entries.append(
                    ReportEntry(
                        severity=result.severity,
                        message_en=result.messages.get("en") or next(iter(result.messages.values()), ""),
                        message_ko=result.messages.get("ko") or result.messages.get("en", ""),
                        file=file_name,
                        row=row,
                        column=column,
                        value=_lexical(result.value),
                        focus_node=str(result.focus_node),
                        path=result.result_path,
                        shape=None if result.source_shape is None else str(result.source_shape),
                        constraint=str(result.source_constraint_component),
                    )
                )
        return entries

    def _commit(
        self, record: SubmissionRecord, definition: DatasetDefinition, delta: bytes
    ) -> SubmissionRecord:
        with self._exclusive_commit():
            if self._commit_is_in_store(record):  # a crash after the store commit, before the log update
                return self.log.mark_committed(record.id, self._sequence_in_store(record))
            sequence = max(self.log.next_sequence(), self._highest_sequence_in_store() + 1)
            record_triples = provenance_triples(
                record, definition, status="committed", sequence=sequence, ended_at=_now()
            )
            self.store.commit_delta(
                dataset_graph(record.dataset),
                delta,
                mode="replace" if record.mode == "replace" else "append",
                record_graph=str(SYSTEM_GRAPH),
                record=record_triples,
            )
            fault_point("store-committed")
            return self.log.mark_committed(record.id, sequence)

    def _record_rejection(self, record: SubmissionRecord, definition: DatasetDefinition) -> None:
        """Rejected submissions are part of the provenance too (which datasets' last submission conformed)."""
        with self._exclusive_commit():
            self.store.add_to_graph(
                str(SYSTEM_GRAPH),
                provenance_triples(record, definition, status="rejected", sequence=None, ended_at=_now()),
            )

    # -- helpers --------------------------------------------------------------------------------------

    def _commit_is_in_store(self, record: SubmissionRecord) -> bool:
        return self.store.has_quad(
            submission_iri(record.id), RDF.type, PROV.Activity, str(SYSTEM_GRAPH)
        ) and bool(self.store.objects(submission_iri(record.id), _COMMIT_SEQUENCE, str(SYSTEM_GRAPH)))

    def _sequence_in_store(self, record: SubmissionRecord) -> int:
        values = self.store.objects(submission_iri(record.id), _COMMIT_SEQUENCE, str(SYSTEM_GRAPH))
        return int(str(values[0]))

    def _highest_sequence_in_store(self) -> int:
        rows = self.store.select(_HIGHEST_SEQUENCE, {"graph": SYSTEM_GRAPH})
        value = rows[0].get("highest") if rows else None
        return int(str(value)) if value is not None else 0

    def _delta_path(self, submission_id: str) -> Path:
        return self.deltas / f"{submission_id}.nt"

    def _check_department(self, department: str) -> None:
        iri = instance_iri("department", department) if department else None
        if iri is None or not self.store.objects(iri, RDF.type, str(REFERENCE_GRAPH)):
            raise NotFoundError(
                f"unknown department {department[:100]!r}",
                f"알 수 없는 부서 {department[:100]!r}",
                hint="list departments with 'kg departments'",
            )

    def _ontology(self) -> tuple[bytes, Graph]:
        key = "".join(self.store.graph_metadata(str(ONTOLOGY_GRAPH)).values())
        if self._ontology_cache is None or self._ontology_cache[0] != key:
            ntriples = validation_context.graph_as_ntriples(self.store, [str(ONTOLOGY_GRAPH)])
            graph = Graph()
            graph.parse(data=ntriples.decode("utf-8"), format="nt")
            self._ontology_cache = (key, ntriples, graph)
        return self._ontology_cache[1], self._ontology_cache[2]

    def _engine_for(self, definition: DatasetDefinition, ontology: Graph) -> ValidationEngine:
        """One compiled validation engine per dataset, shapes version and ontology version."""
        from kg_service.validation.engine import ValidationEngine

        key = (definition.id, definition.shapes_version(), id(ontology))
        engine = self._engines.get(key)
        if engine is None:
            shapes = Graph()
            for path in definition.shapes:
                shapes.parse(path, format="turtle")
            engine = ValidationEngine(shapes, ontology=ontology, check_iris=False)
            self._engines = {key: engine, **{k: v for k, v in self._engines.items() if k[0] != definition.id}}
        return engine

    @contextmanager
    def _exclusive_commit(self) -> Iterator[None]:
        lock_path = self.settings.data_dir / "commit.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._commit_lock, lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


_COMMIT_SEQUENCE = CPS.commitSequence
_HIGHEST_SEQUENCE = """
PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>
SELECT ?graph (MAX(?sequence) AS ?highest) WHERE { GRAPH ?graph { ?activity cps:commitSequence ?sequence } }
GROUP BY ?graph
"""


class _Locator:
    """From a focus node and path back to source rows and columns, through the mapping lineage."""

    def __init__(self, mapping: MappingResult) -> None:
        self.mapping = mapping

    def locate(self, focus: str, path: str | None) -> list[tuple[int | None, str | None]]:
        rows = self.mapping.trace([focus])
        if rows.height == 0:
            return [(None, None)]
        located: list[tuple[int | None, str | None]] = []
        for rule, row, melted in rows.select("rule", "row", "column").iter_rows():
            column = melted
            if column is None and path is not None:
                columns = self.mapping.source_columns.get((str(rule), path), ())
                column = columns[0] if columns else None
            located.append((int(row) if row is not None else None, None if column is None else str(column)))
        return sorted(set(located), key=lambda item: (item[0] or 0, item[1] or ""))[:50]


_N3_LITERAL = re.compile(r'^"(?P<lexical>(?:[^"\\]|\\.)*)"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?$')


def _lexical(value: str | None) -> str | None:
    """A reported value as people read it: the lexical form of a literal, the IRI of a resource."""
    if value is None:
        return None
    match = _N3_LITERAL.match(value)
    if match:
        return match.group("lexical").replace('\\"', '"').replace("\\\\", "\\")
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    return value


def _problem_entry(problem: CellProblem) -> ReportEntry:
    return ReportEntry(
        severity="Violation" if problem.severity == "error" else "Warning",
        message_en=problem.message_en,
        message_ko=problem.message_ko,
        file=problem.file,
        row=problem.row,
        column=problem.column,
        value=problem.value,
        constraint=problem.code,
        source="mapping",
    )


FAULT_INJECTION_VARIABLE = "KG_FAULT_INJECTION"


def fault_point(name: str) -> None:
    """A place where the crash-safety tests kill the process (``KG_FAULT_INJECTION=<name>``: SIGKILL here).

    Does nothing unless that variable names this point; it exists so tests can stop a real process at each
    step of the pipeline and check that recovery commits every submission exactly once.
    """
    if os.environ.get(FAULT_INJECTION_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".part")
    with temporary.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)


def _clean_file_name(name: str) -> str:
    """Keep only the last path component, printable, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    return cleaned[:200]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
