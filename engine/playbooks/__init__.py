"""Playbooks: YAML rules validated into conditions, actions and templates; loading them for a run."""
