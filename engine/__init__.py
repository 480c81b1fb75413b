"""The kamengine core, in data-flow order: model, playbooks, plugin, delivery, evaluate, plan, advise, store..."""
