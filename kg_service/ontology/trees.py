"""One version of the project's standards — ontology, shapes, mapping rules, queries — read from a directory or
from a git revision of the repository.

A *tree* is laid out like the repository root (``ontology/``, ``shapes/``, ``mappings/``, ``kg_service/queries/``,
``schema.graphql``); a bare ontology directory (Turtle files directly inside) is accepted too and then has no
shapes or mappings. A git revision (``HEAD~1``, ``v1.0.0``, a commit hash, a branch) is read with
``git rev-parse``, ``git ls-tree`` and ``git show REV:path`` run with fixed argument lists after the revision
string has passed a strict pattern, and its files are written to a private temporary directory that is removed
when the ``with`` block ends. Nothing in the working tree is touched.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from shutil import which
from typing import Final

from kg_service.config import REPOSITORY_ROOT, Settings
from kg_service.errors import OntologyError

# Letters, digits, '.', '_', '/', '-' and ancestry suffixes (~N, ^N); no leading '-' (an option), no '..'
# (a range), no ':' (a path inside a revision), no '@{' (reflog), no spaces.
REVISION_PATTERN: Final = re.compile(
    r"^(?![-./])(?!.*\.\.)(?!.*//)[A-Za-z0-9._/\-]{1,120}(?:[~^][0-9]{0,3})*$"
)
GIT_TIMEOUT_SECONDS: Final = 60.0
MAX_FILE_BYTES: Final = 64 * 1024 * 1024

# What a tree holds, as paths in the repository (directories are read recursively).
TREE_PATHS: Final = (
    "ontology",
    "shapes",
    "mappings",
    "kg_service/queries",
    "kg_service/api",
    "schema.graphql",
    "kg_service/api/schema.graphql",
)
GRAPHQL_SCHEMA_CANDIDATES: Final = ("schema.graphql", "kg_service/api/schema.graphql")
PACKAGE_DIR: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class ProjectTree:
    """Where one version's files are. Parts the version does not have are ``None``.

    ``label`` says where it came from for reports (the directory, or ``HEAD~1 (3f2a1bc)``); ``commit`` is the
    full commit hash for a git revision.
    """

    label: str
    ontology_dir: Path
    shapes_dir: Path | None = None
    mappings_dir: Path | None = None
    queries_dir: Path | None = None
    api_dir: Path | None = None
    graphql_schema: Path | None = None
    commit: str | None = None


def is_revision_syntax(text: str) -> bool:
    """Whether ``text`` may be passed to git as a revision (it still has to exist).

    >>> [is_revision_syntax(r) for r in ("HEAD~1", "v1.0.0", "main", "3f2a1bc", "origin/main^2")]
    [True, True, True, True, True]
    >>> [is_revision_syntax(r) for r in ("--output=x", "HEAD..main", "HEAD:core.ttl", "a b", "@{1}", "")]
    [False, False, False, False, False, False]
    """
    return bool(REVISION_PATTERN.match(text))


def current_tree(settings: Settings) -> ProjectTree:
    """The version the service runs with now: the configured ontology, shapes and mappings directories."""
    root = settings.ontology_dir.parent
    return ProjectTree(
        label=f"current ({root})",
        ontology_dir=settings.ontology_dir,
        shapes_dir=settings.shapes_dir if settings.shapes_dir.is_dir() else None,
        mappings_dir=settings.mappings_dir if settings.mappings_dir.is_dir() else None,
        queries_dir=_existing_dir(PACKAGE_DIR / "queries"),
        api_dir=_existing_dir(PACKAGE_DIR / "api"),
        graphql_schema=_first_file(REPOSITORY_ROOT, GRAPHQL_SCHEMA_CANDIDATES),
    )


def tree_from_directory(directory: Path, *, label: str | None = None) -> ProjectTree:
    """A tree laid out like the repository root, or a bare ontology directory.

    Raises :class:`OntologyError` when ``directory`` holds neither ``ontology/`` nor Turtle files.
    """
    if (directory / "ontology").is_dir():
        return ProjectTree(
            label=label or str(directory),
            ontology_dir=directory / "ontology",
            shapes_dir=_existing_dir(directory / "shapes"),
            mappings_dir=_existing_dir(directory / "mappings"),
            queries_dir=_existing_dir(directory / "kg_service" / "queries"),
            api_dir=_existing_dir(directory / "kg_service" / "api"),
            graphql_schema=_first_file(directory, GRAPHQL_SCHEMA_CANDIDATES),
        )
    if any(directory.glob("*.ttl")):
        return ProjectTree(label=label or str(directory), ontology_dir=directory)
    raise OntologyError(
        f"{directory} holds neither an ontology/ directory nor Turtle files",
        f"{directory}에 ontology/ 디렉터리도 Turtle 파일도 없습니다",
        hint="give the repository root (with ontology/, shapes/, mappings/), an ontology directory, or a git revision",
    )


@contextmanager
def open_tree(spec: str, *, repository: Path = REPOSITORY_ROOT) -> Iterator[ProjectTree]:
    """The tree named by ``spec``: an existing directory, or else a git revision of ``repository``.

    A revision's files are extracted into a temporary directory that exists until the ``with`` block ends.
    Raises :class:`OntologyError` when ``spec`` is neither a directory nor a valid, existing revision, or when
    git cannot be run.
    """
    path = Path(spec)
    if path.is_dir():
        yield tree_from_directory(path)
        return
    if not is_revision_syntax(spec):
        raise OntologyError(
            f"{spec[:200]!r} is neither a directory nor a git revision",
            f"{spec[:200]!r}은(는) 디렉터리도 git 리비전도 아닙니다",
            hint="give a directory, or a revision such as HEAD~1, v1.0.0 or a commit hash",
        )
    git = _git_executable()
    commit = _resolve_commit(git, repository, spec)
    with tempfile.TemporaryDirectory(prefix="kg-tree-") as workdir:
        root = Path(workdir)
        for name in _tracked_files(git, repository, commit):
            _extract(git, repository, commit, name, root)
        if not (root / "ontology").is_dir():
            raise OntologyError(
                f"revision {spec} has no ontology/ directory",
                f"리비전 {spec}에 ontology/ 디렉터리가 없습니다",
                hint="give a revision of this repository made after the ontology was added",
            )
        yield tree_from_directory(root, label=f"{spec} ({commit[:10]})")


def _git_executable() -> str:
    git = which("git")
    if git is None:
        raise OntologyError(
            "git is not installed, so a revision cannot be read",
            "git이 설치되어 있지 않아 리비전을 읽을 수 없습니다",
            hint="install git, or give two directories instead of revisions",
        )
    return git


def _run_git(git: str, repository: Path, *args: str) -> bytes:
    try:
        completed = subprocess.run(
            [git, "-C", str(repository), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OntologyError(
            f"git {args[0]} did not finish within {GIT_TIMEOUT_SECONDS:g} s",
            f"git {args[0]}이(가) {GIT_TIMEOUT_SECONDS:g}초 안에 끝나지 않았습니다",
            hint="check the repository",
        ) from exc
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", errors="replace").strip()[:500]
        raise OntologyError(
            f"git {args[0]} failed in {repository}: {message or f'exit status {completed.returncode}'}",
            f"{repository}에서 git {args[0]} 실패: {message or completed.returncode}",
            hint="check that the directory is a git repository (--repo) and the revision exists",
        )
    return completed.stdout


def _resolve_commit(git: str, repository: Path, revision: str) -> str:
    out = _run_git(
        git, repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    commit = out.decode("ascii", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        raise OntologyError(
            f"revision {revision} does not name a commit in {repository}",
            f"리비전 {revision}은(는) {repository}의 커밋이 아닙니다",
            hint="list revisions with 'git log --oneline' or 'git tag'",
        )
    return commit


def _tracked_files(git: str, repository: Path, commit: str) -> list[str]:
    out = _run_git(
        git, repository, "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", *TREE_PATHS
    )
    return [name for name in out.decode("utf-8", errors="replace").split("\0") if name]


def _extract(git: str, repository: Path, commit: str, name: str, root: Path) -> None:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        return  # git never lists such paths; refuse to write outside the temporary tree regardless
    content = _run_git(git, repository, "show", f"{commit}:{name}")
    if len(content) > MAX_FILE_BYTES:
        raise OntologyError(
            f"{name} at {commit[:10]} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            f"{commit[:10]}의 {name}이(가) {MAX_FILE_BYTES // (1024 * 1024)} MiB보다 큽니다",
            hint="large data files do not belong in the ontology, shapes or mappings",
        )
    target = root.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _existing_dir(path: Path) -> Path | None:
    return path if path.is_dir() else None


def _first_file(root: Path, candidates: tuple[str, ...]) -> Path | None:
    for candidate in candidates:
        path = root / candidate
        if path.is_file():
            return path
    return None
