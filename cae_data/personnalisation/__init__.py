"""Personnalisation of a referential: the rule language and collectivity profiles."""

from .profile import (
    Profile,
    ProfileContext,
    evaluate_personnalisation,
    population_tags,
    profile_to_yaml,
    read_profile,
)
from .rules import Rule, RuleContext, RuleSyntaxError, parse_rule, parse_rules

__all__ = [
    "Profile", "ProfileContext", "Rule", "RuleContext", "RuleSyntaxError", "evaluate_personnalisation",
    "parse_rule", "parse_rules", "population_tags", "profile_to_yaml", "read_profile",
]
