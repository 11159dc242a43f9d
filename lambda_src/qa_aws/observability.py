"""Powertools Logger and Metrics, created once for every function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "BatterySmart/AutoQA"

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)
