"""Tools for playbook authors: linting, the catalogue, playbook self-tests and the pytest plugin."""
