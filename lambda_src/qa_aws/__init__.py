"""AWS adapters of the QA pipeline: S3 prompts, Transcribe jobs, Bedrock, DynamoDB, SNS.

The Lambda handlers pick these and call the same `qa_engine` pipeline the local CLI uses.
"""
