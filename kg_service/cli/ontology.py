"""``kg ontology …``: commands for ontology editors."""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, cast

import typer

from kg_service.cli.context import state
from kg_service.config import REPOSITORY_ROOT
from kg_service.errors import ConfigurationError
from kg_service.ontology.check import (
    CHECK_ALIGNMENT,
    CHECK_DECLARATION,
    CHECK_INCONSISTENT,
    CHECK_QUALITY,
    CHECK_SYNTAX,
    CHECK_UNSATISFIABLE,
    OntologyCheckReport,
    OntologyProblem,
    check_ontology,
    curie,
)
from kg_service.ontology.diff import OntologyDiff, TermChange, diff_trees
from kg_service.ontology.impact import EngineChoice, ImpactReport, analyse_impact
from kg_service.ontology.publish import (
    PublishOutcome,
    list_versions,
    loaded_version,
    publish_version,
    render_changelog,
)
from kg_service.ontology.reasoning import ReasoningReport, reason_about
from kg_service.ontology.rendering import short
from kg_service.ontology.trees import current_tree, open_tree
from kg_service.store.embedded import EmbeddedStore

app = typer.Typer(help="Ontology tools for editors (온톨로지 편집 도구).", no_args_is_help=True)

_CHECK_TITLES = {
    CHECK_SYNTAX: "syntax (구문)",
    CHECK_INCONSISTENT: "inconsistency (모순)",
    CHECK_UNSATISFIABLE: "unsatisfiable classes (충족 불가능 클래스)",
    CHECK_QUALITY: "labels, definitions, domains and ranges (레이블·정의·정의역·치역)",
    CHECK_DECLARATION: "undeclared cps: terms (선언되지 않은 cps: 용어)",
    CHECK_ALIGNMENT: "alignment targets (정렬 대상 외부 용어)",
}
_SEVERITY_KO = {"error": "오류", "warning": "경고"}
# Beyond this many problems with the same message in the same file (467 dongs without an English label),
# the human output says how many more there are; --json always lists every problem.
_SAME_MESSAGE_SHOWN = 5


@app.command("check")
def check(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="Ontology directory (default: KG_ONTOLOGY_DIR or the repository's ontology/).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    no_reasoner: Annotated[
        bool, typer.Option("--no-reasoner", help="Skip OWL reasoning with HermiT (it needs Java).")
    ] = False,
    shared_dir: Annotated[
        Path | None,
        typer.Option(
            "--shared-dir",
            help="Shared material; its reference/ holds the official vocabularies (KG_SHARED_DIR).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
) -> None:
    """Check the ontology: syntax, OWL reasoning, labels and definitions, alignment targets.

    온톨로지를 검사합니다: 구문, OWL 추론, 레이블과 정의, 정렬 대상 외부 용어.

    Exit codes: 0 no errors, 1 errors found (with --strict: or warnings), 2 could not run or a step failed.
    """
    if shared_dir is not None and not shared_dir.is_dir():
        raise ConfigurationError(
            f"--shared-dir {shared_dir} is not a directory",
            f"--shared-dir {shared_dir}은(는) 디렉터리가 아닙니다",
            hint="give the shared/ directory that holds reference/ontologies and reference/fiware-smart-data-models",
        )
    settings = state(ctx).settings(shared_dir=shared_dir)
    ontology_dir = directory if directory is not None else settings.ontology_dir
    report = check_ontology(
        ontology_dir,
        shapes_dir=settings.shapes_dir,
        reference_vocabularies_dir=settings.shared_dir / "reference",
        reasoner=not no_reasoner,
    )
    if as_json:
        payload = {**report.as_dict(), "exit_code": report.exit_code(strict=strict)}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    raise typer.Exit(report.exit_code(strict=strict))


def _print_report(report: OntologyCheckReport) -> None:
    typer.echo(f"ontology check: {report.ontology_dir} ({len(report.files)} files, {report.triples} triples)")
    by_check: dict[str, list[OntologyProblem]] = defaultdict(list)
    for problem in report.problems:
        by_check[problem.check].append(problem)
    for check_name, problems in by_check.items():
        typer.echo("")
        typer.echo(f"{_CHECK_TITLES.get(check_name, check_name)}:")
        alike: Counter[tuple[str | None, str, str]] = Counter()
        for problem in problems:
            key = (problem.file, problem.severity, problem.message_en)
            alike[key] += 1
            if alike[key] <= _SAME_MESSAGE_SHOWN:
                _print_problem(problem)
        for (file, severity, message), count in alike.items():
            if count > _SAME_MESSAGE_SHOWN:
                more = count - _SAME_MESSAGE_SHOWN
                typer.echo(
                    f'  {severity:7}  … {more} more in {file} with "{message}" (--json lists every one)'
                )
                typer.echo(
                    f"  {_SEVERITY_KO[severity]:7}  … {file}에 같은 문제 {more}건 더 (--json으로 모두 볼 수 있습니다)"
                )
    typer.echo("")
    typer.echo("steps (단계):")
    for step in report.steps:
        line = f"  {step.name:12} {step.status:7} {step.seconds:6.1f} s"
        if step.reason_en:
            line += f"  {step.reason_en}"
        typer.echo(line)
        if step.reason_ko:
            typer.echo(f"  {'':12} {'':7} {'':8}  {step.reason_ko}")
        for note in step.notes:
            typer.echo(f"  {'':12} {'':7} {'':8}  note: {note}")
    typer.echo("")
    typer.echo(_summary(report))


def _print_problem(problem: OntologyProblem) -> None:
    where = f"{problem.file}:{problem.line}" if problem.file and problem.line else problem.file or ""
    term = curie(problem.term) if problem.term else ""
    subject = " ".join(part for part in (term, f"[{where}]" if where else "") if part)
    typer.echo(f"  {problem.severity:7}  {subject + ': ' if subject else ''}{problem.message_en}")
    typer.echo(f"  {_SEVERITY_KO[problem.severity]:7}  {problem.message_ko}")


def _summary(report: OntologyCheckReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    total = errors + warnings
    if total == 0:
        text = "no problems — 문제 없음"
    else:
        text = (
            f"{total} {_plural(total, 'problem')}: {errors} {_plural(errors, 'error')}, "
            f"{warnings} {_plural(warnings, 'warning')} — 문제 {total}건 (오류 {errors}, 경고 {warnings})"
        )
    failed = [step.name for step in report.steps if step.status == "failed"]
    if failed:
        text += f"; incomplete, failed: {', '.join(failed)} — 검사 미완료"
    return text


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


# --- diff, impact, publish, versions, reason --------------------------------------------------------------------

_GROUP_TITLES = {
    "removed": "삭제된 용어 / Removed terms",
    "renamed": "이름이 바뀐 용어 / Renamed terms",
    "added": "추가된 용어 / Added terms",
    "changed": "변경된 용어 / Changed terms",
}
# Beyond this many lines in one group (hundreds of reference individuals), say how many more; --json has all.
_GROUP_SHOWN = 60

RepoOption = Annotated[
    Path | None,
    typer.Option("--repo", help="Git repository that revisions are read from (default: this checkout)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Directory or git revision (HEAD~1, v1.0.0, …).")],
    new: Annotated[
        str, typer.Argument(metavar="NEW", help="Directory or git revision ('.' = working tree).")
    ],
    as_json: JsonOption = False,
    repo: RepoOption = None,
) -> None:
    """Compare two versions of the ontology (and of the shapes, when both have shapes/).

    두 버전의 온톨로지(둘 다 shapes/가 있으면 셰이프도)를 비교합니다. 변경마다 호환/비호환과 그 이유를 보여 줍니다.

    Exit codes: 0 only compatible changes or none, 1 something breaking, 2 could not run.
    """
    with (
        open_tree(old, repository=repo or REPOSITORY_ROOT) as old_tree,
        open_tree(new, repository=repo or REPOSITORY_ROOT) as new_tree,
    ):
        result = diff_trees(old_tree, new_tree)
    if as_json:
        typer.echo(
            json.dumps({**result.as_dict(), "exit_code": result.exit_code()}, ensure_ascii=False, indent=2)
        )
    else:
        _print_diff(result)
    raise typer.Exit(result.exit_code())


@app.command("impact")
def impact(
    ctx: typer.Context,
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW", help="Proposed tree (with ontology/, shapes/, mappings/) or git revision."
        ),
    ],
    old: Annotated[
        str | None,
        typer.Option(
            "--old", help="Version to compare with (default: the configured ontology, shapes, mappings)."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory whose store/ is checked (read-only).")
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", help="Validation engine: auto (fast engine if installed), pyshacl, fast."),
    ] = "auto",
    as_json: JsonOption = False,
    repo: RepoOption = None,
) -> None:
    """What a proposed change would break: mapping rules, shapes, queries and GraphQL fields, stored data.

    제안된 변경이 무엇을 깨뜨리는지 보여 줍니다: 매핑 규칙(파일·행), 셰이프, 질의와 GraphQL 필드, 저장된 데이터(데이터셋·부서별).

    Exit codes (for CI): 0 nothing breaking, 1 breaking impact found, 2 could not run.
    """
    if engine not in ("auto", "pyshacl", "fast"):
        raise ConfigurationError(
            f"--engine must be auto, pyshacl or fast, not {engine[:40]!r}",
            f"--engine은 auto, pyshacl, fast 중 하나여야 합니다: {engine[:40]!r}",
            hint="use --engine pyshacl for the reference semantics",
        )
    settings = state(ctx).settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    repository = repo or REPOSITORY_ROOT
    with contextlib.ExitStack() as stack:
        new_tree = stack.enter_context(open_tree(new, repository=repository))
        old_tree = (
            current_tree(settings)
            if old is None
            else stack.enter_context(open_tree(old, repository=repository))
        )
        report = analyse_impact(
            old_tree, new_tree, store_dir=settings.store_dir, engine=cast(EngineChoice, engine)
        )
    if as_json:
        typer.echo(report.to_json())
    else:
        _print_impact(report)
    raise typer.Exit(report.exit_code())


@app.command("publish")
def publish(
    ctx: typer.Context,
    new: Annotated[
        str, typer.Argument(metavar="NEW", help="Tree or git revision holding the version to publish.")
    ],
    note: Annotated[str, typer.Option("--note", help="Change note recorded with the version (변경 설명).")],
    migration: Annotated[
        Path | None,
        typer.Option(
            "--migration", help="SPARQL Update file (default: NEW's ontology/migrations/{version}.ru)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, write nothing.")] = False,
    as_json: JsonOption = False,
    repo: RepoOption = None,
) -> None:
    """Publish a new ontology version to the store, atomically, with its migration and a PROV-O record.

    새 온톨로지 버전을 저장소에 게시합니다: 버전 확인, 비호환 변경에는 MAJOR 버전과 마이그레이션 필수, 한 트랜잭션으로 적용, PROV-O 기록.

    Exit codes: 0 published (or the dry run would publish), 1 refused, 2 could not run.
    """
    if migration is not None and not migration.is_file():
        raise ConfigurationError(
            f"--migration {migration} is not a file",
            f"--migration {migration}은(는) 파일이 아닙니다",
            hint="give the path of a SPARQL Update (.ru) file in the repository",
        )
    settings = state(ctx).settings()
    with open_tree(new, repository=repo or REPOSITORY_ROOT) as new_tree:
        store = EmbeddedStore.open(settings.store_dir)
        try:
            outcome = publish_version(
                store,
                new_tree,
                note=note,
                migration=migration,
                current_mappings_dir=settings.mappings_dir,
                dry_run=dry_run,
            )
        finally:
            store.close()
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_publication(outcome)
    raise typer.Exit(outcome.exit_code())


@app.command("versions")
def versions(
    ctx: typer.Context,
    as_json: JsonOption = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print a change log (for ontology/CHANGELOG.md).")
    ] = False,
) -> None:
    """List the published ontology versions with their notes. 게시된 온톨로지 버전과 변경 설명을 보여 줍니다."""
    settings = state(ctx).settings()
    store = EmbeddedStore.open(settings.store_dir, read_only=True)
    try:
        published = list_versions(store)
        loaded = loaded_version(store)
    finally:
        store.close()
    if as_json:
        payload = {"loaded": loaded, "versions": [asdict(v) for v in published]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if markdown:
        typer.echo(render_changelog(published), nl=False)
        return
    typer.echo(f"loaded ontology version (적재된 버전): {loaded or '—'}")
    if not published:
        typer.echo("no published versions yet (게시된 버전 없음)")
        return
    for version in reversed(published):
        typer.echo(
            f"{version.version:10} {version.ended_at}  {version.note.splitlines()[0] if version.note else ''}"
        )
        if version.migration:
            typer.echo(f"{'':10} migration (마이그레이션): {version.migration}")


@app.command("reason")
def reason(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(metavar="DIR", help="Ontology directory (default: KG_ONTOLOGY_DIR or ontology/)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds before HermiT is stopped.", min=1.0)
    ] = 300.0,
    as_json: JsonOption = False,
) -> None:
    """Classify a (proposed) ontology with HermiT: inferred class hierarchy and unsatisfiable classes.

    HermiT로 (제안된) 온톨로지를 분류합니다: 추론된 클래스 계층과 충족 불가능한 클래스.

    Exit codes: 0 consistent and every class satisfiable, 1 inconsistent or unsatisfiable classes, 2 could not
    run (no Java, time-out).
    """
    settings = state(ctx).settings()
    ontology_dir = directory if directory is not None else settings.ontology_dir
    if (ontology_dir / "ontology").is_dir():
        ontology_dir = ontology_dir / "ontology"
    report = reason_about(ontology_dir, timeout=timeout)
    if as_json:
        typer.echo(report.to_json())
    else:
        _print_reasoning(report)
    raise typer.Exit(report.exit_code())


def _print_diff(result: OntologyDiff) -> None:
    typer.echo(
        f"ontology diff (온톨로지 비교): {result.old_label} [{result.old_version or '?'}] → "
        f"{result.new_label} [{result.new_version or '?'}]"
    )
    for kind in ("removed", "renamed", "added", "changed"):
        changes = sorted(
            result.of_kind(kind),
            key=lambda c: (not c.breaking, not c.flagged, c.term, c.aspect),
        )
        if not changes:
            continue
        typer.echo("")
        typer.echo(f"{_GROUP_TITLES[kind]} ({len(changes)})")
        for change in changes[:_GROUP_SHOWN]:
            _print_term_change(change)
        if len(changes) > _GROUP_SHOWN:
            typer.echo(
                f"  … {len(changes) - _GROUP_SHOWN} more (--json lists every one; --json으로 모두 볼 수 있습니다)"
            )
    if result.shape_changes:
        typer.echo("")
        typer.echo(f"셰이프 변경 / Shape changes ({len(result.shape_changes)})")
        for shape_change in sorted(
            result.shape_changes, key=lambda s: (not s.breaking, s.shape, s.constraint)
        ):
            mark = "BREAKING" if shape_change.breaking else ("REVIEW" if shape_change.flagged else "ok")
            where = f" [{shape_change.file}]" if shape_change.file else ""
            typer.echo(
                f"  {mark:8}  {shape_change.shape} {shape_change.constraint}: {shape_change.old or '—'} → "
                f"{shape_change.new or '—'}{where}"
            )
            if shape_change.targets:
                typer.echo(f"  {'':8}  targets (대상): {', '.join(shape_change.targets)}")
            typer.echo(f"  {'':8}  {shape_change.reason_en}")
            typer.echo(f"  {'':8}  {shape_change.reason_ko}")
    for note in result.notes:
        typer.echo(f"note: {note}")
    typer.echo("")
    breaking = sum(c.breaking for c in result.changes) + sum(s.breaking for s in result.shape_changes)
    if breaking:
        typer.echo(
            f"BREAKING: {breaking} breaking {_plural(breaking, 'change')} — needs a new MAJOR version and a migration "
            f"(호환되지 않는 변경 {breaking}건 — 새 MAJOR 버전과 마이그레이션 필요)"
        )
    elif result.changes or result.shape_changes:
        typer.echo(
            f"compatible: required version bump {result.required_bump} (호환되는 변경 — 필요한 버전 올림: {result.required_bump})"
        )
    else:
        typer.echo("no changes — 변경 없음")


def _print_term_change(change: TermChange) -> None:
    mark = "BREAKING" if change.breaking else ("REVIEW" if change.flagged else "ok")
    kind = f" ({change.term_type})" if change.term_type else ""
    if change.kind in ("added", "removed"):
        head = f"{short(change.term)}{kind}"
    elif change.kind == "renamed":
        head = f"{short(change.term)} → {short(change.replaced_by or '')}{kind}"
    else:
        head = f"{short(change.term)}  {change.aspect}: {change.old or '—'} → {change.new or '—'}"
    typer.echo(f"  {mark:8}  {head}")
    if change.kind != "added":
        typer.echo(f"  {'':8}  {change.reason_en}")
        typer.echo(f"  {'':8}  {change.reason_ko}")


def _print_impact(report: ImpactReport) -> None:
    typer.echo(f"ontology impact (영향 분석): {report.old_label} → {report.new_label}")
    titles = {
        "mapping": "매핑 규칙 / Mapping rules",
        "shape": "셰이프 / Shapes",
        "query": "질의와 GraphQL 필드 / Queries and GraphQL fields",
    }
    for artefact, title in titles.items():
        uses = report.uses_of(artefact)
        if not uses:
            continue
        typer.echo("")
        typer.echo(f"{title} ({len(uses)})")
        for use in uses:
            mark = "BREAKING" if use.breaking else "REVIEW"
            where = f"{use.file}:{use.line}" if use.line else use.file
            field = f" → GraphQL {use.graphql_field}" if use.graphql_field else ""
            typer.echo(f"  {mark:8}  {where}  {short(use.term)} — {use.context}{field}")
            typer.echo(f"  {'':8}  {use.change}")
    if report.stored_uses or report.datasets:
        typer.echo("")
        typer.echo("저장된 데이터 / Stored data")
        for stored in report.stored_uses:
            typer.echo(
                f"  {'BREAKING' if stored.breaking else 'REVIEW':8}  dataset {stored.dataset} "
                f"(department {stored.department}): {stored.triples} triples use {short(stored.term)} — {stored.change}"
            )
            typer.echo(
                f"  {'':8}  데이터셋 {stored.dataset}: 트리플 {stored.triples}개가 {short(stored.term)}을(를) 씁니다"
            )
        for dataset in report.datasets:
            mark = "BREAKING" if dataset.newly_failing else "ok"
            typer.echo(
                f"  {mark:8}  dataset {dataset.dataset} (department {dataset.department}, {dataset.triples} triples): "
                f"{dataset.newly_failing} focus nodes newly fail (failing before {dataset.failing_old}, after "
                f"{dataset.failing_new})"
            )
            typer.echo(
                f"  {'':8}  데이터셋 {dataset.dataset}(부서 {dataset.department}): 새로 부적합해지는 대상 {dataset.newly_failing}건"
            )
            for example in dataset.examples:
                path = f" {example.path}" if example.path else ""
                typer.echo(f"  {'':8}    {short(example.focus_node)}{path}: {example.message_en}")
        departments = report.by_department()
        if departments:
            typer.echo("")
            typer.echo("부서별 새 부적합 / Newly failing by department")
            for department, count in sorted(departments.items()):
                typer.echo(f"  {department}: {count}")
    if report.diff is not None and report.diff.shape_changes:
        typer.echo("")
        typer.echo("셰이프 변경 / Shape changes")
        for change in report.diff.shape_changes:
            mark = "BREAKING" if change.breaking else ("REVIEW" if change.flagged else "ok")
            typer.echo(
                f"  {mark:8}  {change.shape} {change.constraint}: {change.old or '—'} → {change.new or '—'}"
            )
            typer.echo(f"  {'':8}  {change.reason_en} / {change.reason_ko}")
    for note in report.notes:
        typer.echo(f"note: {note}")
    typer.echo("")
    typer.echo("steps (단계):")
    for step in report.steps:
        line = f"  {step.name:12} {step.status:7} {step.seconds:6.1f} s"
        if step.reason_en:
            line += f"  {step.reason_en} ({step.reason_ko})"
        typer.echo(line)
    typer.echo("")
    if report.breaking:
        typer.echo("BREAKING impact found — 호환되지 않는 영향이 있습니다")
    elif not report.complete:
        typer.echo("incomplete: a step failed — 일부 단계를 실행하지 못했습니다")
    else:
        typer.echo("nothing breaking — 호환되지 않는 영향 없음")


def _print_publication(outcome: PublishOutcome) -> None:
    typer.echo(
        f"publish (게시): {outcome.previous_version or '—'} → {outcome.version or '?'}  [{outcome.status}]"
    )
    for en, ko in outcome.refusals:
        typer.echo(f"  refused: {en}")
        typer.echo(f"  거부:    {ko}")
    for en, ko in outcome.warnings:
        typer.echo(f"  warning: {en}")
        typer.echo(f"  경고:    {ko}")
    if outcome.diff is not None:
        summary = {
            kind: len(outcome.diff.of_kind(kind)) for kind in ("added", "removed", "renamed", "changed")
        }
        typer.echo(
            "  changes: "
            + ", ".join(f"{count} {kind}" for kind, count in summary.items())
            + f"; breaking: {'yes' if outcome.diff.breaking else 'no'}"
        )
    if outcome.migration:
        typer.echo(f"  migration (마이그레이션): {outcome.migration}")
    if outcome.mapping_change:
        typer.echo("  mapping rules changed since the last publication (매핑 규칙 변경됨)")
    if outcome.status == "published":
        typer.echo(f"  ontology graph: {outcome.triples_before} → {outcome.triples_after} triples")
        typer.echo(f"  recorded as (기록): {outcome.activity}")
    elif outcome.status == "dry-run":
        typer.echo("  dry run: nothing was written (시험 실행: 아무것도 쓰지 않음)")


def _print_reasoning(report: ReasoningReport) -> None:
    typer.echo(f"reasoning (추론, HermiT): {report.ontology_dir}  [{report.status}, {report.seconds:.1f} s]")
    if report.detail:
        typer.echo(f"  {report.detail}")
    if report.status != "consistent":
        return
    typer.echo("")
    typer.echo("추론된 클래스 계층 / Inferred class hierarchy")
    for line in report.tree_lines():
        typer.echo(f"  {line}")
    typer.echo("")
    if report.new_subsumptions:
        typer.echo("추론으로만 얻은 포함 관계 / Subsumptions inferred but not asserted")
        for cls, sup in report.new_subsumptions:
            typer.echo(f"  {short(cls)} ⊑ {short(sup)}")
    else:
        typer.echo("no subsumptions beyond the asserted ones (단언된 것 외의 추론된 포함 관계 없음)")
    if report.unsatisfiable:
        typer.echo("")
        typer.echo("충족 불가능한 클래스 / Unsatisfiable classes")
        for iri in report.unsatisfiable:
            typer.echo(f"  {short(iri)}")
    else:
        typer.echo("every class is satisfiable (모든 클래스가 충족 가능)")
