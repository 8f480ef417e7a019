"""Typed settings for the service, read from ``KG_*`` environment variables and validated at start-up.

Settings are built once (``Settings()`` or :func:`load_settings`) and passed down; nothing reads the
environment anywhere else. Outside demo mode the settings refuse insecure combinations.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg_service.errors import ConfigurationError

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """All settings of the service. Each field is read from ``KG_<FIELD NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path(".kg-data"), description="Directory of the embedded store and submissions."
    )
    ontology_dir: Path = Field(default=REPOSITORY_ROOT / "ontology", description="The ontology in Turtle.")
    mappings_dir: Path = Field(default=REPOSITORY_ROOT / "mappings", description="Mapping rules (YARRRML).")
    shapes_dir: Path = Field(default=REPOSITORY_ROOT / "shapes", description="SHACL shapes.")
    shared_dir: Path = Field(default=REPOSITORY_ROOT.parent / "shared", description="Reference material.")
    backend: Literal["embedded", "neo4j"] = "embedded"
    demo: bool = Field(default=False, description="Demo mode: no authentication; says so in the logs.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    max_rows: int = Field(default=2_000_000, ge=1)
    max_triples: int = Field(default=50_000_000, ge=1)

    max_query_depth: int = Field(default=12, ge=2, le=100)
    max_aliases: int = Field(default=30, ge=1, le=1000)
    max_query_cost: int = Field(default=50_000, ge=100)
    default_page_size: int = Field(default=100, ge=1, le=500)
    max_query_tokens: int = Field(default=10_000, ge=100)
    max_request_bytes: int = Field(default=100_000, ge=1024)
    max_batch_operations: int = Field(default=10, ge=1, le=100)
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    sparql_max_rows: int = Field(default=10_000, ge=1, le=10_000_000)

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    neo4j_max_connection_pool_size: int = Field(default=10, ge=1, le=1000)
    neo4j_connection_timeout: float = Field(default=10.0, gt=0, le=600)
    neo4j_connection_acquisition_timeout: float = Field(default=30.0, gt=0, le=600)
    neo4j_batch_size: int = Field(default=5000, ge=1, le=100_000)
    neo4j_falkordb_redis_url: SecretStr | None = None

    @field_validator("host")
    @classmethod
    def _host_is_plain(cls, value: str) -> str:
        if not value or any(ch.isspace() for ch in value) or len(value) > 253:
            raise ValueError("host must be a host name or IP address without spaces")
        return value

    @field_validator("neo4j_uri")
    @classmethod
    def _neo4j_scheme(cls, value: str) -> str:
        allowed = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not value.startswith(allowed):
            raise ValueError(f"neo4j_uri must start with one of {', '.join(allowed)}")
        return value

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> Settings:
        try:
            unusable = self.data_dir.exists() and not self.data_dir.is_dir()
        except OSError as exc:
            raise ValueError(f"data_dir is not a usable path: {exc.strerror}") from None
        if unusable:
            raise ValueError(f"data_dir {self.data_dir} exists and is not a directory")
        needs_password = not self.demo and not _is_loopback(self.host) and self.backend == "neo4j"
        if needs_password and not self.neo4j_password.get_secret_value():
            raise ValueError("a Neo4j password is required outside demo mode (KG_NEO4J_PASSWORD)")
        return self

    @property
    def store_dir(self) -> Path:
        """Directory of the embedded Oxigraph store."""
        return self.data_dir / "store"

    @property
    def auth_required(self) -> bool:
        """Authentication is on unless demo mode was asked for explicitly."""
        return not self.demo


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Build and validate the settings, turning validation failures into a :class:`ConfigurationError`.

    Keyword arguments override the environment (used by command-line flags).
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"KG_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(
            f"invalid settings: {problems}",
            f"설정값이 올바르지 않습니다: {problems}",
            hint="fix the KG_* environment variables or command-line options named above",
        ) from None
