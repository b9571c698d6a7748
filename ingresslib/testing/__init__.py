"""Helpers for testing stacks built with ingresslib, yours included: `ingresslib.testing.aws`
replays a render's AWS resources into an AWS API (moto in tests) through boto3."""
