#!/usr/bin/env python3
"""CDK entry point: composes the project's stacks (VoiceStack, QaPipelineStack, WebStack).

Stacks are added here as they are built; `cdk.json` holds the context a deploy uses, and the
tests build the app from the same context.
"""

from __future__ import annotations

import aws_cdk as cdk


def build_app(context: dict | None = None) -> cdk.App:
    app = cdk.App(context=context or {})
    return app


if __name__ == "__main__":
    build_app().synth()
