"""The recommendation store: schema, lifecycle, deliveries outbox and reports (the only code that names a table)."""
