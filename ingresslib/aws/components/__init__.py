"""Pulumi components for the AWS edge of an EKS stack; the only modules that import pulumi-aws,
loaded by IngressStack when the stack's cloud is eks."""
