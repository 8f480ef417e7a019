"""``kg ontology …``: commands for ontology editors."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer

from kg_service.cli.context import state
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
