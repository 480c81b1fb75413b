"""Built-in plugins: sources, emitters and playbooks, written as a third party would."""
