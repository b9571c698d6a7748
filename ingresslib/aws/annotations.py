"""The AWS Load Balancer Controller's Service annotation keys the library writes and reads, in
one leaf module: the read-back of the edge contract (`stack/contract.py`) imports them without
loading the AWS config, which an AKS stack never needs. The controller's emulators (the AWS
replay, the lab's NLB front) spell the keys themselves, as the controller does, so a wrong key
here shows as wrong behaviour there."""

PREFIX = "service.beta.kubernetes.io/aws-load-balancer-"
# The NLB target group's attributes: PROXY protocol v2, deregistration delay, client IP.
TG_ATTRIBUTES = f"{PREFIX}target-group-attributes"
# Who makes the load balancer of a Service: `external` (or `nlb-ip`), the controller's NLB.
LBC_TYPE = f"{PREFIX}type"
