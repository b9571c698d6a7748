"""The gateway Service's annotations for the AWS Load Balancer Controller (topology gateway).

The controller, not Pulumi, creates the NLB: these annotations are its whole configuration.
Health checks go to Istio's readiness endpoint on 15021, because the traffic ports have no
listener until a Gateway binds them, and the drain settings come from the stack's deregistration
delay so that no request is cut during a rollout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingresslib.config.aws import acm_listeners, nlb_settings, ssl_policy
from ingresslib.manifests.service import STATUS_PORT

if TYPE_CHECKING:
    from ingresslib.config.stack import StackConfig

PREFIX = "service.beta.kubernetes.io/aws-load-balancer-"
READINESS_GATE_LABEL = {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}


def _pairs(values: dict[str, Any]) -> str:
    return ",".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                    for k, v in values.items())


def certificate_keys(cfg: StackConfig) -> list[str]:
    """The ACM certificates the NLB presents, in listener order; the first is its default."""
    keys: list[str] = []
    for lst in acm_listeners(cfg):
        assert lst.tls is not None
        assert lst.tls.certificate is not None
        if lst.tls.certificate not in keys:
            keys.append(lst.tls.certificate)
    return keys


def nlb_annotations(cfg: StackConfig, ssl_certificates: Any = None) -> dict[str, Any]:
    """Every annotation the controller reads. `ssl_certificates` is the comma-joined ARNs of
    `certificate_keys(cfg)` (a Pulumi Output when ingresslib creates them); by default the
    configured ARNs, with `acm:<key>` standing for a certificate created at deploy time."""
    nlb = nlb_settings(cfg)
    wl = cfg.workload
    assert wl is not None
    lb_attributes: dict[str, Any] = {"load_balancing.cross_zone.enabled": nlb.cross_zone}
    if nlb.access_logs:
        lb_attributes |= {
            "access_logs.s3.enabled": True,
            "access_logs.s3.bucket": nlb.access_logs.bucket,
            "access_logs.s3.prefix": nlb.access_logs.prefix,
        }
    tg_attributes: dict[str, Any] = {
        "deregistration_delay.timeout_seconds": cfg.load_balancer.deregistration_delay_seconds,
        "deregistration_delay.connection_termination.enabled": nlb.connection_termination,
        "preserve_client_ip.enabled": nlb.preserve_client_ip,
    }
    if nlb.proxy_protocol:
        tg_attributes["proxy_protocol_v2.enabled"] = True
    out: dict[str, Any] = {
        f"{PREFIX}type": "external",
        f"{PREFIX}nlb-target-type": nlb.target_type,
        f"{PREFIX}scheme": cfg.load_balancer.scheme,
        f"{PREFIX}attributes": _pairs(lb_attributes),
        f"{PREFIX}target-group-attributes": _pairs(tg_attributes),
        f"{PREFIX}healthcheck-healthy-threshold": "2",
        f"{PREFIX}healthcheck-unhealthy-threshold": "2",
        f"{PREFIX}healthcheck-interval": "10",
    }
    if nlb.target_type == "ip":
        # The NLB reaches the pods: Istio's readiness endpoint answers for the whole proxy.
        out[f"{PREFIX}healthcheck-protocol"] = "http"
        out[f"{PREFIX}healthcheck-port"] = str(STATUS_PORT)
        out[f"{PREFIX}healthcheck-path"] = "/healthz/ready"
    elif (wl.service.external_traffic_policy or "Local") == "Local":
        # Instance targets: kube-proxy's health check node port (the controller's default port
        # under Local) answers 200 only on nodes running a ready gateway pod.
        out[f"{PREFIX}healthcheck-protocol"] = "http"
        out[f"{PREFIX}healthcheck-path"] = "/healthz"
    else:
        # Instance targets under Cluster: every node forwards, so a TCP check of the node port.
        out[f"{PREFIX}healthcheck-protocol"] = "tcp"
        out[f"{PREFIX}healthcheck-port"] = "traffic-port"
    if nlb.subnets:
        out[f"{PREFIX}subnets"] = ", ".join(s.id for s in nlb.subnets)
    if nlb.elastic_ips:
        out[f"{PREFIX}eip-allocations"] = ", ".join(nlb.elastic_ips)
    keys = certificate_keys(cfg)
    if keys:
        if ssl_certificates is None:
            ssl_certificates = ",".join(_configured_arn(cfg, key) for key in keys)
        listeners = acm_listeners(cfg)
        out |= {
            f"{PREFIX}ssl-cert": ssl_certificates,
            f"{PREFIX}ssl-ports": ", ".join(str(p) for p in sorted({lst.port
                                                                    for lst in listeners})),
            f"{PREFIX}ssl-negotiation-policy": ssl_policy(nlb.ssl_policy, listeners),
            # Envoy detects HTTP/2's preface on the plaintext it receives behind the NLB.
            f"{PREFIX}alpn-policy": "HTTP2Preferred",
        }
    return out


def _configured_arn(cfg: StackConfig, key: str) -> str:
    arn = getattr(cfg.certificates[key], "arn", None)
    return arn or f"acm:{key}"
