"""Lambda entry points: parse the event, call the function's service (`qa_aws`), report
partial batch failures."""
