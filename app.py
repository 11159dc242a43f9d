#!/usr/bin/env python3
"""CDK entry point: composes the project's stacks.

`cdk.json` holds the context a deploy uses (`qa:*`, `voice:*`, `web:*`, `ops:*`, region); the
tests build the app from the same context through `build_app`.

The stacks depend one way only: QaPipelineStack <- VoiceStack <- WebStack. The voice line
learns the page's address at run time (an SSM parameter WebStack writes), so
`cdk deploy --all` brings everything up in one run.
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from stacks.qa_pipeline_stack import QaPipelineStack
from stacks.voice_stack import VoiceStack
from stacks.web_stack import WebStack

DEFAULT_REGION = "ap-south-1"


def build_app(context: dict | None = None) -> cdk.App:
    app = cdk.App(context=context) if context is not None else cdk.App()
    region = app.node.try_get_context("region") or DEFAULT_REGION
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
    qa = QaPipelineStack(
        app,
        "QaPipelineStack",
        env=env,
        description="Battery Smart Auto-QA: recordings to scored calls and supervisor alerts",
    )
    voice = VoiceStack(
        app,
        "VoiceStack",
        env=env,
        alerts_topic=qa.topic,
        ops=qa.ops,
        description="Battery Smart voice line: LiveKit, Egress and the Pipecat agent on EC2",
    )
    WebStack(
        app,
        "WebStack",
        env=env,
        voice_hostname=voice.hostname,
        hours=voice.hours,
        description="Battery Smart call page: React on CloudFront over HTTPS",
    )
    return app


if __name__ == "__main__":
    build_app().synth()
