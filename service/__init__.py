"""The kamengine service: an HTTP API and the pages a team looks at, over the engine and its store."""
