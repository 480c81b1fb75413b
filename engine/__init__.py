"""The kamengine core: snapshot model, rule language, evaluation and ranking (no CLI)."""
