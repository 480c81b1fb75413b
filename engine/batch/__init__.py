"""The nightly batch: a run over a whole source, evaluated by worker processes or a Dask cluster."""
