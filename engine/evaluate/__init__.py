"""Evaluation: derived facts, the rule engines (durable_rules and the reference), ranking, explanations."""
