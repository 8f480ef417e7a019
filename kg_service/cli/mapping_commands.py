"""``kg map`` and ``kg load``: run mapping rules on a file from the command line.

``kg map RULES FILE [-o OUT] [--format ttl|nt|nq|jsonld] [--graph DATASET_ID]`` writes the RDF a file maps to
(to OUT, or to standard output) without touching the store. ``kg load RULES FILE [--graph DATASET_ID]
[--mode replace|append] [--force]`` maps the same way and writes the result into the dataset's named graph
``https://data.seoul.go.kr/cps/graph/dataset/{id}`` of the embedded store in one transaction. It does **not**
run SHACL validation: it is an operator's tool for bulk loads; departments submit with ``kg submit``.

RULES is a path, or the name of a rule file in ``mappings/`` (``sdot_hourly.yaml``). Both commands print a
summary and every located problem (file, row, column, value, English and Korean message) on standard error,
and a progress bar (reading, mapping, writing) when standard error is a terminal and ``--quiet`` is not given.

Exit codes: 0 mapped (and, for ``kg load``, loaded) with no error-severity problem; 1 error-severity problems
were found (``kg load`` then writes nothing unless ``--force``); 2 could not run (rules not found or wrong for
the file, unreadable file, locked store, usage).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Final, Literal, Never

import pyoxigraph as ox
import typer
import yaml
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Identifier
from tqdm import tqdm

from kg_service.cli.context import state
from kg_service.config import Settings
from kg_service.errors import EXIT_OK, EXIT_PROBLEMS, ConfigurationError, LimitExceededError, SourceDataError
from kg_service.mapping.mapping_result import MappingResult
from kg_service.mapping.source_table import CellProblem
from kg_service.vocab import SYSTEM_GRAPH, dataset_graph, instance_iri

OutputFormat = Literal["ttl", "nt", "nq", "jsonld"]
FORMATS: Final[dict[str, ox.RdfFormat]] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SUFFIX_FORMATS: Final[dict[str, OutputFormat]] = {
    ".ttl": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".jsonld": "jsonld",
    ".json": "jsonld",
}
TURTLE_PREFIXES: Final[dict[str, str]] = {
    "cps": "https://data.seoul.go.kr/cps/ontology#",
    "sosa": "http://www.w3.org/ns/sosa/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "unit": "http://qudt.org/vocab/unit/",
    "schema": "http://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
DATASET_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
READ_CHUNK: Final = 1 << 20
PROBLEMS_SHOWN: Final = 200
SORTED_OUTPUT_LIMIT: Final = 1_000_000


def register(app: typer.Typer) -> None:
    """Add ``kg map`` and ``kg load`` to the root command."""
    app.command("map")(map_command)
    app.command("load")(load_command)


# --- finding the rules, the dataset and the input ---------------------------------------------------------------


def resolve_rules(text: str, mappings_dir: Path) -> Path:
    """The rule file ``text`` names: an existing path, else a file of that name in ``mappings_dir``.

    Only a bare file name (no directory part) is looked up in ``mappings_dir``, so a name can never reach a
    file outside it. Raises :class:`SourceDataError` when there is no such file.
    """
    given = Path(text)
    if given.is_file():
        return given
    if given.name == text and text not in ("", ".", ".."):
        candidate = mappings_dir / text
        if candidate.is_file():
            return candidate
    shown = text[:200]
    raise SourceDataError(
        f"no rule file {shown!r} (looked for the path and for a file of that name in {mappings_dir})",
        f"규칙 파일 {shown!r}이(가) 없습니다 (경로와 {mappings_dir}의 파일 이름으로 찾았습니다)",
        hint="give a path to a .yaml/.ttl rule file, or a file name from mappings/ such as sdot_hourly.yaml",
    )


def dataset_for_rules(rules: Path, settings: Settings) -> str | None:
    """The dataset of ``datasets.yaml`` whose rules are ``rules`` (one of the files in ``mappings/``), if exactly one."""
    catalogue = settings.mappings_dir / "datasets.yaml"
    try:
        if rules.resolve().parent != settings.mappings_dir.resolve():
            return None
        document = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    entries = document.get("datasets") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        return None
    found = []
    for dataset_id, entry in entries.items():
        named = entry.get("rules") if isinstance(entry, dict) else None
        names = list(named.values()) if isinstance(named, dict) else [named]
        if rules.name in [str(name) for name in names]:
            found.append(str(dataset_id))
    return found[0] if len(found) == 1 else None


def catalogue_mode(dataset_id: str, settings: Settings) -> Literal["replace", "append"] | None:
    """The commit mode ``datasets.yaml`` gives ``dataset_id``, if it can be read."""
    try:
        document = yaml.safe_load((settings.mappings_dir / "datasets.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    entries = document.get("datasets") if isinstance(document, dict) else None
    entry = entries.get(dataset_id) if isinstance(entries, dict) else None
    mode = entry.get("mode") if isinstance(entry, dict) else None
    return mode if mode in ("replace", "append") else None


def checked_dataset_id(dataset_id: str) -> str:
    """``dataset_id`` if it is a valid identifier; :class:`ConfigurationError` otherwise."""
    if not DATASET_ID.match(dataset_id):
        shown = dataset_id[:100]
        raise ConfigurationError(
            f"{shown!r} is not a dataset identifier (lower-case letters, digits and '-', at most 63)",
            f"{shown!r}은(는) 데이터셋 식별자가 아닙니다 (영문 소문자·숫자·'-', 63자 이하)",
            hint="list the identifiers with 'kg datasets'",
        )
    return dataset_id


def read_input(path: Path, settings: Settings, progress: bool) -> bytes:
    """The bytes of the file to map (with a 'reading' progress bar); refuses missing, empty and oversized files."""
    if not path.is_file():
        shown = str(path)[:200]
        raise SourceDataError(f"no such file: {shown}", f"파일이 없습니다: {shown}", hint="check the path")
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise LimitExceededError(
            f"{path.name} is {size:,} bytes; the limit is {settings.max_upload_bytes:,}",
            f"{path.name}의 크기 {size:,} 바이트가 한도 {settings.max_upload_bytes:,}를 넘습니다",
            hint="split the file, or raise KG_MAX_UPLOAD_BYTES",
        )
    chunks: list[bytes] = []
    with path.open("rb") as handle, _bar("reading (읽기)", progress, total=size, unit="B") as bar:
        while chunk := handle.read(READ_CHUNK):
            chunks.append(chunk)
            bar.update(len(chunk))
    data = b"".join(chunks)
    if not data or data.isspace():
        raise SourceDataError(
            f"{path.name} is empty",
            f"{path.name} 파일이 비어 있습니다",
            hint="check that the export or download finished; an empty file has nothing to map",
        )
    return data


# --- mapping -------------------------------------------------------------------------------------------------------


@contextmanager
def _bar(
    label: str, enabled: bool, *, total: int | None = None, unit: str = " triples"
) -> Iterator[tqdm[Never]]:
    bar: tqdm[Never] = tqdm(
        total=total,
        desc=label,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=not enabled,
        leave=False,
        dynamic_ncols=True,
    )
    try:
        yield bar
    finally:
        bar.close()


class _CountingSink:
    """A binary sink that counts the statements (lines) written through it, for the 'mapping' bar."""

    def __init__(self, target: IO[bytes], bar: tqdm[Never]) -> None:
        self.target = target
        self.bar = bar

    def write(self, data: bytes) -> int:
        self.bar.update(data.count(b"\n"))
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


@dataclass
class MappedFile:
    """The outcome of mapping one file: the statements (N-Triples/N-Quads in ``path``) and the result."""

    path: Path
    result: MappingResult
    rules: Path


def map_to_file(
    rules: Path,
    data: bytes,
    *,
    file_name: str,
    settings: Settings,
    work_dir: Path,
    graph: str | None,
    progress: bool,
) -> MappedFile:
    """Map ``data`` with ``rules`` into ``work_dir/mapped.nq`` (streamed; the 'mapping' progress bar counts lines).

    Raises :class:`~kg_service.errors.MappingRuleError` when the rules are wrong or do not fit the file, and the
    readers' errors when the file cannot be read at all.
    """
    from kg_service.mapping.engine import map_file
    from kg_service.mapping.rule_check import load_ontology_terms

    terms = load_ontology_terms(settings.ontology_dir) if settings.ontology_dir.is_dir() else None
    out = work_dir / "mapped.nq"
    with out.open("wb") as handle, _bar("mapping (변환)", progress) as bar:
        sink = _CountingSink(handle, bar)
        result = map_file(
            rules,
            data,
            file_name=file_name,
            ontology_terms=terms,
            dataset_graph=graph,
            sink=sink,  # type: ignore[arg-type]  # a duck-typed BinaryIO: write and flush are all it uses
            max_rows=settings.max_rows,
        )
    return MappedFile(out, result, rules)


def write_output(mapped: MappedFile, fmt: OutputFormat, destination: IO[bytes], progress: bool) -> None:
    """Serialise the mapped statements in ``fmt`` (with a 'writing' progress bar)."""
    total = mapped.result.triple_count
    with _bar("writing (쓰기)", progress, total=total) as bar:
        if fmt in ("nt", "nq"):
            # The engine already writes N-Triples (N-Quads when a graph applies): copy, counting lines.
            with mapped.path.open("rb") as source:
                while chunk := source.read(READ_CHUNK):
                    destination.write(chunk)
                    bar.update(chunk.count(b"\n"))
            return

        def counted() -> Iterator[ox.Quad]:
            quads: Iterable[ox.Quad] = ox.parse(path=str(mapped.path), format=ox.RdfFormat.N_QUADS)
            if total <= SORTED_OUTPUT_LIMIT:
                # Grouped by subject, Turtle and JSON-LD read as one block per thing (stable: rule order kept).
                quads = sorted(quads, key=lambda quad: str(quad.subject))
            for quad in quads:
                bar.update(1)
                yield quad

        prefixes = TURTLE_PREFIXES if fmt == "ttl" else None
        ox.serialize(counted(), destination, FORMATS[fmt], prefixes=prefixes)


# --- reporting -----------------------------------------------------------------------------------------------------


def _problem_line(problem: CellProblem) -> str:
    where = [problem.file]
    if problem.row is not None:
        where.append(f"row {problem.row}")
    if problem.column:
        where.append(f"column {problem.column}")
    if problem.value is not None:
        where.append(f"value {problem.value[:80]!r}")
    return f"  {problem.severity:7} {', '.join(where)}: [{problem.code}] {problem.message_en} / {problem.message_ko}"


def report(mapped: MappedFile, file_name: str, destination: str | None) -> int:
    """Print the summary and the located problems on standard error; return the exit code (0 or 1)."""
    problems = sorted(
        mapped.result.problems,
        key=lambda p: (p.severity != "error", p.row if p.row is not None else -1, p.column or "", p.code),
    )
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    target = f" → {destination}" if destination else ""
    typer.echo(
        f"mapped {file_name} with {mapped.rules.name}: {mapped.result.triple_count:,} statements, "
        f"{errors:,} errors, {warnings:,} warnings{target}",
        err=True,
    )
    typer.echo(
        f"{file_name}을(를) {mapped.rules.name}(으)로 변환: 트리플 {mapped.result.triple_count:,}개, "
        f"오류 {errors:,}건, 경고 {warnings:,}건",
        err=True,
    )
    for problem in problems[:PROBLEMS_SHOWN]:
        typer.echo(_problem_line(problem), err=True)
    if len(problems) > PROBLEMS_SHOWN:
        more = len(problems) - PROBLEMS_SHOWN
        typer.echo(f"  … {more:,} more problems (문제 {more:,}건 더)", err=True)
    return EXIT_PROBLEMS if errors else EXIT_OK


def _progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def _output_format(explicit: str | None, output: Path | None) -> OutputFormat:
    if explicit is not None:
        key = explicit.lower()
        if key not in FORMATS:
            raise ConfigurationError(
                f"unknown output format {explicit[:50]!r}; use ttl, nt, nq or jsonld",
                f"알 수 없는 출력 형식 {explicit[:50]!r}; ttl, nt, nq, jsonld 중 하나를 쓰세요",
                hint="for example --format nt",
            )
        return key  # type: ignore[return-value]  # checked against FORMATS just above
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), "ttl")
    return "ttl"


@contextmanager
def _destination(output: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or ``output`` written atomically (a temporary file renamed into place when complete)."""
    if output is None:
        stream = sys.stdout.buffer
        yield stream
        stream.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below, renamed only when complete
        "wb", dir=output.parent, prefix=f".{output.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            yield handle
        umask = os.umask(0o022)
        os.umask(umask)
        Path(handle.name).chmod(0o666 & ~umask)  # as an ordinary new file, not the temporary file's 0600
        Path(handle.name).replace(output)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# --- the commands --------------------------------------------------------------------------------------------------

RulesArgument = Annotated[
    str, typer.Argument(metavar="RULES", help="Rule file: a path, or a file name in mappings/.")
]
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The source file to map.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def map_command(
    ctx: typer.Context,
    rules: RulesArgument,
    file: FileArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="ttl, nt, nq or jsonld (default: from -o's suffix, else ttl)."),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph", "-g", help="Dataset id for the graph of nq output (default: from datasets.yaml)."
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Map FILE with RULES and write the RDF, without touching the store.

    RULES로 FILE을 변환해 RDF를 씁니다 (저장소는 건드리지 않습니다). Exit codes: 0 no errors, 1 errors found,
    2 could not run.
    """
    settings = state(ctx).settings()
    progress = _progress_wanted(quiet)
    rules_path = resolve_rules(rules, settings.mappings_dir)
    out_format = _output_format(fmt, output)
    dataset = checked_dataset_id(graph) if graph is not None else dataset_for_rules(rules_path, settings)
    graph_iri = str(dataset_graph(dataset)) if out_format == "nq" and dataset else None
    data = read_input(file, settings, progress)
    with tempfile.TemporaryDirectory(prefix="kg-map-") as work:
        mapped = map_to_file(
            rules_path,
            data,
            file_name=file.name,
            settings=settings,
            work_dir=Path(work),
            graph=graph_iri,
            progress=progress,
        )
        with _destination(output) as destination:
            write_output(mapped, out_format, destination, progress)
    raise typer.Exit(report(mapped, file.name, str(output) if output else None))


def load_command(
    ctx: typer.Context,
    rules: RulesArgument,
    file: FileArgument,
    graph: Annotated[
        str | None,
        typer.Option("--graph", "-g", help="Dataset id; the data goes to …/cps/graph/dataset/{id}."),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode", help="replace or append (default: the dataset's mode in datasets.yaml, else replace)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Load even when the mapping found errors.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Map FILE with RULES and write it into a dataset graph of the store, WITHOUT SHACL validation.

    RULES로 FILE을 변환해 저장소의 데이터셋 그래프에 바로 씁니다 (SHACL 검증 없음; 부서는 'kg submit'을
    쓰세요). Exit codes: 0 loaded, 1 errors found (nothing written unless --force), 2 could not run.
    """
    settings = state(ctx).settings()
    progress = _progress_wanted(quiet)
    rules_path = resolve_rules(rules, settings.mappings_dir)
    dataset = checked_dataset_id(graph) if graph is not None else dataset_for_rules(rules_path, settings)
    if dataset is None:
        raise ConfigurationError(
            f"no dataset of datasets.yaml uses {rules_path.name}; say which graph to load into",
            f"datasets.yaml에 {rules_path.name}을(를) 쓰는 데이터셋이 없습니다. 적재할 그래프를 지정하세요",
            hint="add --graph DATASET_ID (see 'kg datasets')",
        )
    commit_mode = _commit_mode(mode, dataset, settings)
    typer.echo(
        "warning: kg load writes into the store WITHOUT SHACL validation; departments should use 'kg submit'.\n"
        "경고: kg load는 SHACL 검증 없이 저장소에 씁니다. 부서 데이터는 'kg submit'으로 제출하세요.",
        err=True,
    )
    data = read_input(file, settings, progress)
    target = str(dataset_graph(dataset))
    with tempfile.TemporaryDirectory(prefix="kg-load-") as work:
        mapped = map_to_file(
            rules_path,
            data,
            file_name=file.name,
            settings=settings,
            work_dir=Path(work),
            graph=None,
            progress=progress,
        )
        code = report(mapped, file.name, target)
        if code != EXIT_OK and not force:
            typer.echo(
                "nothing loaded: the mapping found errors (fix the file, or add --force to load the rest)\n"
                "적재하지 않았습니다: 변환 오류가 있습니다 (파일을 고치거나 --force로 나머지를 적재하세요)",
                err=True,
            )
            raise typer.Exit(code)
        record = load_record(dataset, file.name, data, rules_path, commit_mode)
        delta = mapped.path.read_bytes()
        from kg_service.store.embedded import EmbeddedStore

        store = EmbeddedStore.open(settings.store_dir)
        try:
            with _bar("writing (쓰기)", progress, total=mapped.result.triple_count) as bar:
                size = store.commit_delta(
                    target, delta, mode=commit_mode, record_graph=str(SYSTEM_GRAPH), record=record
                )
                bar.update(mapped.result.triple_count)
        finally:
            store.close()
    typer.echo(
        f"loaded {mapped.result.triple_count:,} statements into {target} ({commit_mode}); the graph now holds "
        f"{size:,}\n{target}에 트리플 {mapped.result.triple_count:,}개를 적재했습니다 ({commit_mode}; 현재 {size:,}개)",
        err=True,
    )
    raise typer.Exit(code)


def _commit_mode(given: str | None, dataset: str, settings: Settings) -> Literal["replace", "append"]:
    if given is None:
        return catalogue_mode(dataset, settings) or "replace"
    if given == "replace":
        return "replace"
    if given == "append":
        return "append"
    raise ConfigurationError(
        f"--mode must be replace or append, not {given[:50]!r}",
        f"--mode는 replace 또는 append여야 합니다: {given[:50]!r}",
        hint="replace swaps the whole dataset graph; append adds to it",
    )


def load_record(
    dataset: str, file_name: str, data: bytes, rules: Path, mode: str
) -> list[tuple[Identifier, Identifier, Identifier]]:
    """The PROV-O record of a ``kg load`` (in the system graph, written in the same transaction as the data).

    It says the load bypassed validation, so an audit can tell it apart from a submission.
    """
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    activity = instance_iri("load", uuid.uuid4().hex)
    digest = hashlib.sha256(data).hexdigest()
    payload = instance_iri("file", digest)
    graph = URIRef(dataset_graph(dataset))
    return [
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, RDFLiteral(f"kg load {dataset} ({mode}, SHACL 검증 생략)", lang="ko")),
        (
            activity,
            RDFS.label,
            RDFLiteral(f"kg load {dataset} ({mode}, SHACL validation bypassed)", lang="en"),
        ),
        (activity, PROV.endedAtTime, RDFLiteral(now, datatype=XSD.dateTime)),
        (activity, PROV.used, payload),
        (activity, DCTERMS.source, RDFLiteral(rules.name)),
        (payload, RDF.type, PROV.Entity),
        (payload, RDFS.label, RDFLiteral(file_name)),
        (payload, DCTERMS.identifier, RDFLiteral(f"sha256:{digest}")),
        (graph, PROV.wasInfluencedBy, activity),
    ]


__all__ = [
    "catalogue_mode",
    "dataset_for_rules",
    "load_command",
    "load_record",
    "map_command",
    "map_to_file",
    "register",
    "resolve_rules",
    "write_output",
]
