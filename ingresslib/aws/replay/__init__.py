"""Replay a render's AWS resources into an AWS API through boto3, so that AWS (in tests: moto,
under `moto.mock_aws`) checks every reference between them.

A render registers resources under mocks, with fake identifiers (`ingresslib.aws.fakes`).
The replay recomputes those fakes, creates each resource with real boto3 calls in dependency
order, and maps every fake identifier to the one the API returned, so a listener points at
the real target group, a record at the real load balancer. `AwsWorld` first creates what the
config refers to but ingresslib does not create (VPC, subnets, the targets' security group,
Elastic IPs, existing certificates, hosted zones, the web ACL, the cluster). The AWS Load
Balancer Controller's part, the NLB of a gateway Service, is emulated from its annotations.

moto accepts some things AWS refuses; the replay refuses them itself (ReplayError): an ALB in
one zone, an HTTPS/TLS listener without an issued certificate, an alias record to no load
balancer, unknown load balancer and target group attributes, Elastic IPs that do not match
the subnets.

    with moto.mock_aws():
        result = replay(plan_entries, manifests, AwsWorld.build(config, session))

`ingresslib.offline.replay.replay_stack` renders a project offline and replays it in one call.

Import moto before creating the boto3 session: moto hooks the sessions created after it.
"""

from ingresslib.aws.replay.replay import Replayed, replay
from ingresslib.aws.replay.state import ReplayError
from ingresslib.aws.replay.world import AwsWorld, self_signed

__all__ = ["AwsWorld", "ReplayError", "Replayed", "replay", "self_signed"]
