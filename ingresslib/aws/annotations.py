"""The AWS Load Balancer Controller's Service annotation keys that code outside the AWS planner
reads (the read-back of the edge contract, `stack/contract.py`): importing them loads none of
the AWS config, which an AKS stack never needs."""

PREFIX = "service.beta.kubernetes.io/aws-load-balancer-"
# The NLB target group's attributes: PROXY protocol v2, deregistration delay, client IP.
TG_ATTRIBUTES = f"{PREFIX}target-group-attributes"
