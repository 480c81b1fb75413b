"""The kamengine core, in the order data flows: model, playbooks, plugin, evaluate, store, batch, authoring."""

from .moved import install as _install_moved_paths

_install_moved_paths()
