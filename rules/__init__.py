"""The built-in playbooks (YAML data, read with importlib.resources)."""
