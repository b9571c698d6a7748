"""The AWS edge as plain data (no AWS SDK): the gateway Service's annotations for the AWS Load
Balancer Controller, and the ALB's target groups, listeners and rules in pulumi-aws argument
shapes. `ingresslib.aws.components` turns them into resources."""
