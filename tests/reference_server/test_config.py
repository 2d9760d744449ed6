"""Configuration: layering, environment overrides, validation messages, redaction and saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference_server.config import ConfigError, ServerConfig, config_from_dict, load_config, save_config


def test_defaults_need_no_file() -> None:
    config = load_config(env={})
    assert config == ServerConfig()
    assert config.database.url == "sqlite:///:memory:" and config.database.allow_writes is False


def test_file_then_environment_deep_merge(tmp_path: Path) -> None:
    path = tmp_path / "server.yaml"
    path.write_text(
        "name: from-file\ndatabase:\n  row_limit: 50\n  allow_writes: true\n"
        "services:\n  weather:\n    base_urls: [http://127.0.0.1:9001]\n"
    )
    env = {
        "MCP_SERVER_NAME": "from-env",
        "DATABASE_URL": "sqlite:///x.db",
        "API_KEY_WEATHER": "k-123",
        "MCP_LOG_LEVEL": "debug",
    }
    config = load_config(path, env=env)
    assert config.name == "from-env"
    assert config.database.url == "sqlite:///x.db"
    assert config.database.row_limit == 50 and config.database.allow_writes is True  # untouched keys survive
    assert config.services["weather"].api_key == "k-123"
    assert config.log_level == "DEBUG"


def test_packaged_environment_files_are_valid() -> None:
    for environment in ("dev", "prod", "conformance"):
        config = load_config(environment=environment, env={})
        assert config.environment == environment
    assert load_config(environment="prod", env={}).database.url.startswith("postgresql://")
    assert load_config(environment="conformance", env={}).conformance is True


def test_every_bad_key_is_named_with_a_fix() -> None:
    with pytest.raises(ConfigError) as excinfo:
        config_from_dict({"databse": {}, "database": {"pool_min": "many"}, "services": {"pay": {"api_key": "x"}}})
    message = str(excinfo.value)
    assert "databse: unknown key (did you mean 'database'?)" in message
    assert "database.pool_min: expected an integer, got 'many'" in message
    assert "services.pay.base_urls: required" in message and "SERVICE_URLS_PAY" in message


def test_range_checks_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"log_level: must be one of"):
        config_from_dict({"log_level": "LOUD"})
    with pytest.raises(ConfigError, match=r"database.url: use sqlite"):
        config_from_dict({"database": {"url": "mysql://x"}})
    with pytest.raises(ConfigError, match=r"JWT_SECRET.*32 characters"):
        config_from_dict({"security": {"jwt_secret": "short"}})


def test_missing_or_broken_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml", env={})
    broken = tmp_path / "broken.json"
    broken.write_text("{oops")
    with pytest.raises(ConfigError, match="not valid json"):
        load_config(broken, env={})


def test_secrets_are_redacted_for_display() -> None:
    config = config_from_dict(
        {
            "database": {"url": "postgresql://app:hunter2@db/app"},
            "security": {"jwt_secret": "s" * 40},
            "services": {"users": {"base_url": "http://127.0.0.1:1", "api_key": "key-abc"}},
        }
    )
    shown = json.dumps(config.to_dict())
    assert "hunter2" not in shown and "s" * 40 not in shown and "key-abc" not in shown
    assert config.to_dict()["database"]["url"] == "postgresql://app:***@db/app"
    assert config.to_dict(include_secrets=True)["services"]["users"]["api_key"] == "key-abc"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_save_and_reload_round_trip(tmp_path: Path, suffix: str) -> None:
    config = config_from_dict(
        {
            "name": "saved",
            "page_size": 7,
            "services": {"users": {"base_urls": ["http://127.0.0.1:1"], "api_key": "key-abc"}},
        }
    )
    path = save_config(config, tmp_path / f"out{suffix}")
    assert "key-abc" not in path.read_text()  # secrets stay out of saved files by default
    reloaded = load_config(path, env={"API_KEY_USERS": "key-abc"})
    assert reloaded == config
    with pytest.raises(ConfigError, match=r"use a \.yaml"):
        save_config(config, tmp_path / "out.txt")
