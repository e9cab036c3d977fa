"""The agency's configuration as typed, validated models (pydantic): ``AgencyConfig`` and its
sections. See ``model.py``; errors are ``ConfigError`` naming the file and the dotted key."""

from reconcile.config.matching import MatchingConfig
from reconcile.config.model import (
    AgencyConfig,
    AlertConfig,
    PartnerApi,
    default_options,
    load_config,
    validate_section,
)
from reconcile.config.rules import Contributions, RulesConfig, RuleSettings
from reconcile.config.types import InvalidConfig

__all__ = [
    "AgencyConfig",
    "AlertConfig",
    "Contributions",
    "InvalidConfig",
    "MatchingConfig",
    "PartnerApi",
    "RuleSettings",
    "RulesConfig",
    "default_options",
    "load_config",
    "validate_section",
]
