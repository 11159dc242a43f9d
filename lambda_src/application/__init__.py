"""What the QA pipeline does, once for every place it runs: the Lambda functions and the local
CLI call these services with their own adapters (stores, alert sinks, judges, telemetry)."""
