"""Topic rules: load and validate YAML rule files, compile them once, match text with evidence.

rules = load_rules(Path("rules"))
for m in rules.match(item.title, item.text, item.language):
    print(m.topic, m.evidence.terms, m.evidence.snippet)
"""

from bot.matching.explain import BlockExplanation, TopicExplanation
from bot.matching.matcher import Example, RuleSet, explain_text
from bot.matching.rematch import RematchChange, rematch_diff
from bot.matching.rulefiles import load_rules, rules_from_texts

__all__ = [
    "BlockExplanation",
    "Example",
    "RematchChange",
    "RuleSet",
    "TopicExplanation",
    "explain_text",
    "load_rules",
    "rematch_diff",
    "rules_from_texts",
]
