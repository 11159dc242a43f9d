"""Which ARNs `bedrock:InvokeModel` must name for a model id or an inference profile id."""

from __future__ import annotations

from aws_cdk import Stack

# Cross-region inference profile ids start with a geography: "us.", "eu.", "apac.", ...
_PROFILE_PREFIXES = ("us.", "us-gov.", "eu.", "apac.", "ca.", "jp.", "au.", "global.")


def model_arns(stack: Stack, model_id: str) -> list[str]:
    if model_id.startswith("arn:"):
        return [model_id]
    if model_id.startswith(_PROFILE_PREFIXES):
        base = model_id.split(".", 1)[1]
        return [
            f"arn:{stack.partition}:bedrock:{stack.region}:{stack.account}:inference-profile/{model_id}",
            # A profile routes to the model in any of its regions; the model is still pinned.
            f"arn:{stack.partition}:bedrock:*::foundation-model/{base}",
        ]
    return [f"arn:{stack.partition}:bedrock:{stack.region}::foundation-model/{model_id}"]
