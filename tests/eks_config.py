"""EKS settings shared by tests: an ALB in two zones and an ACM certificate, added to a config
whose topology puts an ALB in front (chained, standalone)."""

from __future__ import annotations

import copy
from typing import Any

ACM_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90"
ALB: dict[str, Any] = {
    "vpcId": "vpc-0a1b2c3d4e5f60000",
    "subnets": [
        {"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.0.0.0/24"},
        {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.0.1.0/24"},
    ],
    "allowedCidrs": ["0.0.0.0/0"],
    "targetSecurityGroup": "sg-0a1b2c3d4e5f60000",
}


def with_alb(data: dict[str, Any], **alb: Any) -> dict[str, Any]:
    """`data` with aws.alb set and every HTTPS listener on the ACM certificate `edge-acm`
    (an HTTPS listener on 443 for every host is added when there is none)."""
    data = copy.deepcopy(data)
    listeners = data.setdefault("listeners", [])
    hosts = sorted({h for lst in listeners for h in lst["hosts"] if h != "*"})
    https = [lst for lst in listeners if lst["protocol"] == "HTTPS"]
    if not https:
        listeners.append({"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": hosts,
                          "tls": {"certificate": "edge-acm"}})
    for lst in https:
        lst["tls"] = {**lst.get("tls", {}), "certificate": "edge-acm"}
    data.setdefault("certificates", {})["edge-acm"] = {
        "source": "acm", "dnsNames": hosts, "arn": ACM_ARN}
    data.setdefault("aws", {})["alb"] = {**copy.deepcopy(ALB), **alb}
    return data
