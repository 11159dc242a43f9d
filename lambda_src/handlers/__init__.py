"""Lambda entry points: parse the event, call the pipeline, report partial batch failures."""
