"""One settings object for the whole program: a YAML file, overridden by environment
variables ``INTENTWATCH_<GROUP>__<FIELD>`` (e.g. ``INTENTWATCH_ENGINE__RESPONSE__COOLDOWN_SECONDS``).

Built once by the CLI and passed down; each part of the program gets only its own group.
"""

from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, YamlConfigSettingsSource

from models.errors import ConfigError
from pipeline.config import EngineConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTENTWATCH_", env_nested_delimiter="__", extra="forbid")

    engine: EngineConfig = EngineConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit arguments, then environment, then the file.
        return init_settings, env_settings, YamlConfigSettingsSource(settings_cls)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read settings from ``path`` (YAML, optional) and the environment."""
    if path is not None and not Path(path).is_file():
        raise ConfigError(f"{path}: no such config file")
    cls = type("Settings", (Settings,), {"model_config": {**Settings.model_config, "yaml_file": path}})
    try:
        return cls()
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"{path or 'environment'}: {problems}") from None
