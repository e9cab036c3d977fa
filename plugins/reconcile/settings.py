"""Where things are and which thresholds apply: read once from the environment and YAML.

Every path and URL has a default that works on a fresh checkout (everything under ``var/``),
and an environment variable that a deployment sets:

====================================  ===============================================
``RECONCILE_HOME``                     project root (default: two levels above this package)
``RECONCILE_LANDING_DIR``              where partner files arrive, ``<quarter>/<province>/<feed>*``
``RECONCILE_DATA_DIR``                 landed copies of files and validation results
``RECONCILE_OUTPUT_DIR``               published workbooks, reports and summaries
``RECONCILE_WAREHOUSE_URL``            SQLAlchemy URL of the warehouse (default: SQLite file)
``RECONCILE_WAREHOUSE_CONN_ID``        Airflow connection to use instead, inside Airflow
``RECONCILE_CONFIG``                   a YAML file whose keys override the packaged defaults
                                       (``reconcile.config``: the keys, their types, defaults)
====================================  ===============================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from reconcile.config import AgencyConfig

PACKAGE_DIR = Path(__file__).resolve().parent


def __getattr__(name: str) -> Any:
    """``DEFAULTS``: the packaged defaults as ``Settings.options`` holds them (a fresh dict each
    time), from the configuration's model (``reconcile.config``), where each is explained."""
    if name == "DEFAULTS":
        from reconcile.config import default_options

        return default_options()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def project_home() -> Path:
    return Path(os.environ.get("RECONCILE_HOME", PACKAGE_DIR.parents[1])).resolve()


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    data_dir: Path
    output_dir: Path
    warehouse_url: str
    # the configuration as a plain dict (what most steps read): ``config``'s model dumped
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from the environment; keyword arguments win (used by the CLI and tests)."""
        home = project_home()
        var = home / "var"
        env = os.environ
        options = _configured_options(env.get("RECONCILE_CONFIG"))
        values: dict[str, Any] = {
            "home": home,
            "landing_dir": Path(env.get("RECONCILE_LANDING_DIR", var / "landing")),
            "data_dir": Path(env.get("RECONCILE_DATA_DIR", var / "data")),
            "output_dir": Path(env.get("RECONCILE_OUTPUT_DIR", var / "output")),
            "warehouse_url": env.get("RECONCILE_WAREHOUSE_URL")
            or f"sqlite:///{var / 'warehouse.db'}",
            "options": options,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("landing_dir", "data_dir", "output_dir"):
            values[key] = Path(values[key]).resolve()
        return cls(**values)

    @cached_property
    def config(self) -> AgencyConfig:
        """The configuration, typed: ``options`` validated by the model (``reconcile.config``);
        ``ConfigError`` names the key of options given in code that are wrong."""
        from reconcile.config import AgencyConfig

        return AgencyConfig.from_options(self.options)

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def sql_dir(self) -> Path:
        return self.home / "sql"


def _configured_options(config_file: str | None) -> dict[str, Any]:
    """The packaged defaults with the file named by RECONCILE_CONFIG over them, validated by
    the configuration's model: a misspelt key, a wrong type or an old province code stops the
    run with ``ConfigError`` naming the file and the key (``reconcile.config``)."""
    from reconcile.config import default_options, load_config

    if not config_file:
        return default_options()
    return load_config(Path(config_file)).model_dump()


@cache
def load_yaml(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def load_yaml_list(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list at the top level")
    return [str(item) for item in data]


def package_data(relative: str) -> Path:
    """A data file shipped inside the package (reference tables, rule catalogue, feed spec)."""
    return PACKAGE_DIR / relative
