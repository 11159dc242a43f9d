"""The local Auto-QA pipeline: the `autoqa` CLI and its local adapters.

faster-whisper transcription, a SQLite store, a JSON-lines alert log and an HTML report.

Local-only: none of this is bundled into the Lambda functions, which carry `qa_engine` alone.
"""
