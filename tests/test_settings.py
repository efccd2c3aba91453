"""The settings: read once from ``GKA_*`` variables, derived paths follow the data dir, and a bad
value stops the program with a Dutch line that names the variable and what it must be."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gka_match.config import DEFAULT_MODEL, SettingsError, load_settings

pytestmark = pytest.mark.fast

VARIABLES = ("GKA_DATA_DIR", "GKA_DATABASE_URL", "GKA_MODEL", "GKA_MODEL_DIR", "GKA_INDEX_DIR", "GKA_API_KEY",
             "GKA_MAX_QUERY_CHARS", "GKA_THREADS", "GKA_MATCH_FLOOR", "GKA_RUNTIME", "GKA_PRECISION",
             "GKA_CORS_ORIGINS", "GKA_ALLOW_DOWNLOAD", "GKA_CHAT_TTL_SECONDS", "GKA_CHAT_MAX_CONVERSATIONS")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GKA_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_paths_and_store_follow_the_data_dir(env, tmp_path):
    settings = load_settings()
    root = (tmp_path / "data").resolve()
    assert settings.data_dir == root
    assert (settings.model_dir, settings.index_dir) == (root / "models", root / "index")
    assert settings.database_url == f"sqlite:///{root / 'gka.sqlite3'}" and settings.is_sqlite
    assert settings.model == DEFAULT_MODEL and settings.api_key is None and settings.threads is None
    assert settings.match_floor is None and settings.cors_origins == []


def test_explicit_values_win_and_empty_means_default(env, tmp_path):
    env.setenv("GKA_INDEX_DIR", str(tmp_path / "elders"))
    env.setenv("GKA_DATABASE_URL", "postgresql://gka@db/gka")
    env.setenv("GKA_CORS_ORIGINS", " https://a.example, ,https://b.example ")
    env.setenv("GKA_THREADS", "0")
    env.setenv("GKA_MATCH_FLOOR", "0.25")
    env.setenv("GKA_ALLOW_DOWNLOAD", "1")
    env.setenv("GKA_API_KEY", "")
    env.setenv("GKA_PRECISION", "")
    settings = load_settings()
    assert settings.index_dir == (tmp_path / "elders").resolve()
    assert settings.model_dir == (tmp_path / "data").resolve() / "models"
    assert settings.database_url == "postgresql://gka@db/gka" and not settings.is_sqlite
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.threads is None  # 0: all cores
    assert settings.match_floor == 0.25 and settings.allow_download is True
    assert settings.api_key is None and settings.precision == "fp32"


def test_the_api_key_is_not_printed(env):
    env.setenv("GKA_API_KEY", "geheim-123")
    settings = load_settings()
    assert settings.api_key == "geheim-123" and "geheim-123" not in repr(settings)


@pytest.mark.parametrize("name, value, says", [
    ("GKA_MAX_QUERY_CHARS", "veel", "Instelling GKA_MAX_QUERY_CHARS='veel': moet een heel getal zijn"),
    ("GKA_MAX_QUERY_CHARS", "0", "Instelling GKA_MAX_QUERY_CHARS='0': moet minstens 1 zijn"),
    ("GKA_MATCH_FLOOR", "1.5", "Instelling GKA_MATCH_FLOOR='1.5': mag hoogstens 1.0 zijn"),
    ("GKA_MATCH_FLOOR", "hoog", "Instelling GKA_MATCH_FLOOR='hoog': moet een getal zijn"),
    ("GKA_RUNTIME", "gpu", "Instelling GKA_RUNTIME='gpu': 'gpu' is niet toegestaan; kies uit: auto, onnx, torch"),
    ("GKA_ALLOW_DOWNLOAD", "misschien", "Instelling GKA_ALLOW_DOWNLOAD='misschien': moet true of false zijn"),
])
def test_a_bad_value_stops_with_a_dutch_line_naming_the_variable(env, name, value, says):
    env.setenv(name, value)
    with pytest.raises(SettingsError) as stop:
        load_settings()
    assert says in str(stop.value)


def test_every_bad_variable_is_reported_at_once(env):
    env.setenv("GKA_THREADS", "twee")
    env.setenv("GKA_PRECISION", "int4")
    with pytest.raises(SettingsError) as stop:
        load_settings()
    lines = sorted(str(stop.value).splitlines())
    assert lines == ["Instelling GKA_PRECISION='int4': 'int4' is niet toegestaan; kies uit: fp32, int8",
                     "Instelling GKA_THREADS='twee': moet een heel getal zijn"]


def test_the_app_keeps_conversations_as_the_settings_say(hash_engine):
    from gka_match.service.app import create_app

    settings, engine = hash_engine
    with TestClient(create_app(settings.model_copy(update={"chat_ttl_seconds": 5, "chat_max_conversations": 7}),
                               engine)) as client:
        for manager in (client.app.state.chat_manager, client.app.state.openai_chat_sessions):
            assert (manager.ttl, manager.max) == (5, 7)
        assert client.app.state.chat_manager is not client.app.state.openai_chat_sessions


def test_the_settings_documented_in_the_readme_are_the_settings():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    from gka_match.config import Settings

    documented = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `GKA_")}
    assert documented == {"GKA_" + name.upper() for name in Settings.model_fields}


def test_the_cli_says_which_setting_is_wrong_and_exits_with_2(env, capsys):
    from gka_match.cli import main

    env.setenv("GKA_THREADS", "twee")
    assert main(["seed"]) == 2
    assert capsys.readouterr().err.strip() == "gka-match seed: Instelling GKA_THREADS='twee': moet een heel getal zijn"
