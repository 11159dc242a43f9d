"""Reusable CDK constructs with keyword-only props and their resources as attributes."""
