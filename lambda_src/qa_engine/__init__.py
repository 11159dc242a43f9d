"""The Auto-QA domain: parse a diarized transcript, judge it against the SOPs, score it.

Pure code with no AWS calls; Lambda handlers and the local `autoqa` CLI pick adapters
(storage, alerts, transcription) and call the same pipeline.
"""
