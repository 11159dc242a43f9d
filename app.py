#!/usr/bin/env python3
"""CDK entry point: reads the settings once and composes the project's stacks.

`cdk.json` holds the context a deploy uses (`qa:*`, `voice:*`, `web:*`, `ops:*`, region);
`stacks.settings.AppSettings` checks it, and each stack receives its part as keyword props.
The tests build the app from the same context through `build_app`.

The stacks depend one way only: QaPipelineStack <- VoiceStack <- WebStack. The voice line
learns the page's address at run time (an SSM parameter WebStack writes), so
`cdk deploy --all` brings everything up in one run.
"""

from __future__ import annotations

import aws_cdk as cdk

from stacks.qa_pipeline_stack import QaPipelineStack
from stacks.settings import AppSettings
from stacks.voice_stack import VoiceStack
from stacks.web_stack import WebStack


def build_app(context: dict | None = None) -> cdk.App:
    app = cdk.App(context=context) if context is not None else cdk.App()
    settings = AppSettings.from_context(app.node.try_get_context)
    env = cdk.Environment(account=settings.account, region=settings.region)
    qa = QaPipelineStack(
        app,
        "QaPipelineStack",
        env=env,
        settings=settings.qa,
        model_id=settings.model_id,
        ops_email=settings.ops.alert_email,
        description="Battery Smart Auto-QA: recordings to scored calls and supervisor alerts",
    )
    voice = VoiceStack(
        app,
        "VoiceStack",
        env=env,
        settings=settings.voice,
        model_id=settings.model_id,
        support_phone=settings.web.support_phone,
        alerts=qa.alerts,
        ops=qa.ops,
        description="Battery Smart voice line: LiveKit, Egress and the Pipecat agent on EC2",
    )
    WebStack(
        app,
        "WebStack",
        env=env,
        settings=settings.web,
        dashboard=settings.dashboard,
        results_table=qa.table,
        reviews_table=qa.reviews,
        recordings=qa.recordings,
        transcripts=qa.transcripts,
        ops=qa.ops,
        voice_hostname=voice.hostname,
        hours=voice.hours,
        description="Battery Smart call page and supervisor dashboard: React on CloudFront over "
        "HTTPS, the dashboard's API and its Cognito sign-in",
    )
    return app


if __name__ == "__main__":
    build_app().synth()
