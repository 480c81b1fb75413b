"""kamengine-telecom-emea: the telecom-emea team's playbook, as a kamengine plugin."""
