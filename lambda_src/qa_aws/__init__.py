"""The Lambda functions' services, settings and AWS adapters (S3 prompts, Transcribe jobs,
Bedrock, DynamoDB, SNS, Powertools telemetry).

StartQA's and AnalyzeTranscript's services run the same `application.CallAnalysis` the local
CLI runs, with these adapters in place of SQLite and the alert log.
"""
