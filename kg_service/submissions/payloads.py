"""Durable, content-addressed storage of submitted files: the payload is on disk before anything else happens.

Files are stored under ``{data_dir}/payloads/{sha256[:2]}/{sha256}``, written to a temporary name, fsynced and
renamed, so a crash never leaves a half-written payload under its final name. The same bytes are stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from kg_service.errors import NotFoundError


class PayloadStore:
    """Submitted files by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes) -> str:
        """Store ``data`` durably and return its SHA-256 (hex). Idempotent."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).replace(target)
            _fsync_directory(target.parent)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes of ``digest``."""
        path = self.path_of(digest)
        if not path.exists():
            raise NotFoundError(
                f"no stored payload {digest}",
                f"저장된 제출 파일이 없습니다: {digest}",
                hint="check the submission id",
            )
        return path.read_bytes()

    def path_of(self, digest: str) -> Path:
        """Where the payload with this digest lives."""
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
