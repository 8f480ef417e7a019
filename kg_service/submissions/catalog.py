"""The dataset catalogue: which datasets exist, who owns each, which rules and shapes apply, and how commits combine.

Declared in ``mappings/datasets.yaml``; validated when loaded, so a wrong entry stops start-up with a message
that names the entry and the field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from kg_service.errors import ConfigurationError, NotFoundError, SourceDataError

CommitMode = Literal["replace", "append"]
_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True, slots=True)
class DatasetDefinition:
    """One dataset departments can submit to."""

    id: str
    title_ko: str
    title_en: str
    department: str
    rules_by_extension: dict[str, Path]
    shapes: tuple[Path, ...]
    mode: CommitMode
    platforms: tuple[str, ...]
    conforms_to: tuple[str, ...]
    update_cycle: str

    def rules_for(self, file_name: str) -> Path:
        """The rule file for a submitted file, chosen by its extension (``*`` is the fallback)."""
        extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        rules = self.rules_by_extension.get(extension) or self.rules_by_extension.get("*")
        if rules is None:
            accepted = ", ".join(f".{ext}" for ext in sorted(self.rules_by_extension) if ext != "*")
            raise SourceDataError(
                f"dataset {self.id!r} accepts {accepted} files, not {file_name[:100]!r}",
                f"데이터셋 {self.id!r}은(는) {accepted} 파일만 받습니다 ({file_name[:100]!r})",
                hint="submit the file in one of the accepted formats",
            )
        return rules

    @property
    def rules(self) -> tuple[Path, ...]:
        """Every rule file of the dataset."""
        return tuple(self.rules_by_extension[ext] for ext in sorted(self.rules_by_extension))

    def rules_version(self) -> str:
        """SHA-256 (first 16 hex digits) of the rule files: which rules a submission was mapped with."""
        return _digest(list(self.rules))

    def shapes_version(self) -> str:
        """SHA-256 (first 16 hex digits) of the shape files: which shapes a submission was checked with."""
        return _digest(list(self.shapes))


@dataclass(frozen=True, slots=True)
class DatasetCatalog:
    """All declared datasets, by identifier."""

    datasets: dict[str, DatasetDefinition]

    def get(self, dataset_id: str) -> DatasetDefinition:
        """One dataset, or :class:`NotFoundError` listing the known ones."""
        try:
            return self.datasets[dataset_id]
        except KeyError:
            known = ", ".join(sorted(self.datasets))
            raise NotFoundError(
                f"unknown dataset {dataset_id[:100]!r}; known datasets: {known}",
                f"알 수 없는 데이터셋 {dataset_id[:100]!r}; 사용 가능한 데이터셋: {known}",
                hint="list them with 'kg datasets'",
            ) from None


def load_catalog(path: Path, *, mappings_dir: Path, shapes_dir: Path) -> DatasetCatalog:
    """Read and check ``datasets.yaml``."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _error(
            path, f"cannot read the dataset catalogue: {exc}", f"데이터셋 목록을 읽을 수 없습니다: {exc}"
        ) from exc
    entries = document.get("datasets") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise _error(
            path, "expected a mapping 'datasets:' with at least one entry", "'datasets:' 항목이 필요합니다"
        )
    datasets: dict[str, DatasetDefinition] = {}
    for dataset_id, entry in entries.items():
        datasets[str(dataset_id)] = _definition(path, str(dataset_id), entry, mappings_dir, shapes_dir)
    return DatasetCatalog(datasets)


def _definition(
    path: Path, dataset_id: str, entry: object, mappings_dir: Path, shapes_dir: Path
) -> DatasetDefinition:
    where = f"dataset {dataset_id!r}"
    if not _IDENTIFIER.match(dataset_id):
        raise _error(
            path, f"{where}: identifiers are lower-case letters, digits and '-'", f"{where}: 식별자 형식 오류"
        )
    if not isinstance(entry, dict):
        raise _error(path, f"{where}: expected a mapping of fields", f"{where}: 필드 목록이 필요합니다")
    required = ("title_ko", "title_en", "department", "rules", "shapes", "mode")
    missing = [name for name in required if name not in entry]
    if missing:
        raise _error(
            path, f"{where}: missing {', '.join(missing)}", f"{where}: 누락된 필드 {', '.join(missing)}"
        )
    mode = entry["mode"]
    if mode not in ("replace", "append"):
        raise _error(path, f"{where}: mode must be replace or append", f"{where}: mode는 replace 또는 append")
    raw_rules = entry["rules"]
    if isinstance(raw_rules, dict):
        rules = {str(ext).lower().lstrip("."): mappings_dir / str(name) for ext, name in raw_rules.items()}
    else:
        rules = {"*": mappings_dir / str(raw_rules)}
    shapes = tuple(shapes_dir / str(name) for name in _as_list(entry["shapes"]))
    for file in (*rules.values(), *shapes):
        if not file.is_file():
            raise _error(path, f"{where}: file not found: {file}", f"{where}: 파일이 없습니다: {file}")
    return DatasetDefinition(
        id=dataset_id,
        title_ko=str(entry["title_ko"]),
        title_en=str(entry["title_en"]),
        department=str(entry["department"]),
        rules_by_extension=rules,
        shapes=shapes,
        mode=mode,
        platforms=tuple(str(p) for p in _as_list(entry.get("platforms", []))),
        conforms_to=tuple(str(s) for s in _as_list(entry.get("conforms_to", []))),
        update_cycle=str(entry.get("update_cycle", "")),
    )


def _as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [value]


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _error(path: Path, message: str, message_ko: str) -> ConfigurationError:
    return ConfigurationError(
        f"{path}: {message}", f"{path}: {message_ko}", hint="fix mappings/datasets.yaml"
    )
