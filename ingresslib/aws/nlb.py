"""The gateway Service's annotations for the AWS Load Balancer Controller (topology gateway).

The controller, not Pulumi, creates the NLB: these annotations are its whole configuration.
With IP targets, health checks go to Istio's readiness endpoint on 15021, because the traffic
ports have no listener until a Gateway binds them, and the drain settings come from the
stack's deregistration delay so that no request is cut during a rollout. The controller makes
a listener of every Service port, so the Service leaves the status port out
(EDGE-HC-NLB-PORTS): with IP targets the check names 15021 by number (probed on the pod IPs as
given); instance targets are checked on kube-proxy's health check node port (Local) or the
traffic port (Cluster), and every target type on the traffic port under PROXY protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingresslib.aws.annotations import PREFIX, TG_ATTRIBUTES
from ingresslib.aws.config import acm_listeners, nlb_settings, preserves_client_ip, ssl_policy
from ingresslib.edge import READINESS_PATH, STATUS_PORT, HealthCheck

if TYPE_CHECKING:
    from ingresslib.aws.config import EksStack
    from ingresslib.config.workload import GatewayWorkload

READINESS_GATE_LABEL = {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}


def _pairs(values: dict[str, Any]) -> str:
    return ",".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                    for k, v in values.items())


def certificate_keys(cfg: EksStack) -> list[str]:
    """The ACM certificates the NLB presents, in listener order; the first is its default."""
    keys: list[str] = []
    for lst in acm_listeners(cfg):
        assert lst.tls is not None
        assert lst.tls.certificate is not None
        if lst.tls.certificate not in keys:
            keys.append(lst.tls.certificate)
    return keys


# What sets each controller annotation ingresslib writes (by the name after PREFIX, or its
# beginning for families such as the health checks): the config keys a user changes instead
# of annotating the Service by hand (EDGE-MSG-KEY).
ANNOTATION_KEYS = {
    "type": "no key: ingresslib's NLB is always the controller's (external)",
    "nlb-target-type": "aws.nlb.targetType",
    "scheme": "loadBalancer.scheme",
    "internal": "loadBalancer.scheme",
    "attributes": "aws.nlb.crossZone and aws.nlb.accessLogs",
    "cross-zone-load-balancing-enabled": "aws.nlb.crossZone",
    "access-log-": "aws.nlb.accessLogs",
    "target-group-attributes": "loadBalancer.deregistrationDelaySeconds, "
                               "aws.nlb.connectionTermination, aws.nlb.preserveClientIp and "
                               "aws.nlb.proxyProtocol",
    "proxy-protocol": "aws.nlb.proxyProtocol",
    "healthcheck-": "no key: the health check follows the edge plan (Envoy's readiness by "
                    "port number with IP targets; kube-proxy's health check node port or the "
                    "traffic port with instance targets; the traffic ports under PROXY "
                    "protocol: EDGE-HC-PROXY, EDGE-HC-NLB-PORTS)",
    "listener-attributes.": "aws.nlb.idleTimeoutSeconds",
    "connection-idle-timeout": "aws.nlb.idleTimeoutSeconds",
    "subnets": "aws.nlb.subnets",
    "eip-allocations": "aws.nlb.elasticIps",
    "ssl-cert": "the listeners' tls.certificate (a certificates entry with source acm)",
    "ssl-ports": "the listeners' tls.certificate (a certificates entry with source acm)",
    "ssl-negotiation-policy": "aws.nlb.sslPolicy",
    "alpn-policy": "no key: HTTP2Preferred, so Envoy detects HTTP/2 behind the NLB",
}


def annotation_fix(annotation: str) -> str | None:
    """What to do instead of setting a controller annotation ingresslib writes by hand: the
    config key that sets it, or why none does; None for one ingresslib leaves to the user
    (the dual-stack ip-address-type, for one), which the Service keeps as given."""
    name = annotation.removeprefix(PREFIX)
    if name == annotation:
        return None
    key = next((key for start, key in ANNOTATION_KEYS.items()
                if name == start or (start.endswith(("-", ".")) and name.startswith(start))),
               None)
    if key is None:
        return None
    if key.startswith("no key: "):
        return f"ingresslib writes it ({key.removeprefix('no key: ')}); remove it"
    return f"ingresslib writes it from {key}; set that and remove the annotation"


SSL_CERT_ANNOTATION = f"{PREFIX}ssl-cert"


# kube-proxy's health check node port: the controller's default under externalTrafficPolicy Local.
NODE_HEALTH_PORT = "healthCheckNodePort"


def nlb_health_check(cfg: EksStack, wl: GatewayWorkload) -> HealthCheck:
    """How the NLB checks its targets. IP targets: Istio's readiness endpoint on the pods.
    Instance targets under Local: kube-proxy's health check node port, which answers 200 only
    on nodes running a ready gateway pod. Under Cluster every node forwards: a TCP check of the
    node port. With PROXY protocol v2 the NLB sends the PROXY header on health checks too,
    which Istio's status port refuses (EDGE-HC-PROXY): a TCP check of each traffic port,
    where Envoy expects the header; pod readiness gates and endpoint removal still take a
    draining pod out."""
    nlb = nlb_settings(cfg)
    if nlb.proxy_protocol:
        return HealthCheck("traffic-port", "TCP", None, 10, 2, 2)
    if nlb.target_type == "ip":
        return HealthCheck(STATUS_PORT, "HTTP", READINESS_PATH, 10, 2, 2)
    if (wl.service.external_traffic_policy or "Local") == "Local":
        return HealthCheck(NODE_HEALTH_PORT, "HTTP", "/healthz", 10, 2, 2)
    return HealthCheck("traffic-port", "TCP", None, 10, 2, 2)


def health_check_annotations(hc: HealthCheck) -> dict[str, str]:
    """The controller's health-check annotations for `hc`."""
    out = {
        f"{PREFIX}healthcheck-healthy-threshold": str(hc.healthy_threshold),
        f"{PREFIX}healthcheck-unhealthy-threshold": str(hc.unhealthy_threshold),
        f"{PREFIX}healthcheck-interval": str(hc.interval_seconds),
        f"{PREFIX}healthcheck-protocol": hc.protocol.lower(),
    }
    if hc.port != NODE_HEALTH_PORT:
        out[f"{PREFIX}healthcheck-port"] = str(hc.port)
    if hc.path is not None:
        out[f"{PREFIX}healthcheck-path"] = hc.path
    return out


def nlb_annotations(cfg: EksStack, wl: GatewayWorkload) -> dict[str, Any]:
    """Every annotation the controller reads from the gateway Service `wl`. The certificate
    annotation holds the configured ARNs, with `acm:<key>` standing for a certificate created
    at deploy time (the AWS components put the issued ARNs in its place)."""
    nlb = nlb_settings(cfg)
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
        "preserve_client_ip.enabled": preserves_client_ip(cfg),
    }
    if nlb.proxy_protocol:
        tg_attributes["proxy_protocol_v2.enabled"] = True
    out: dict[str, Any] = {
        f"{PREFIX}type": "external",
        f"{PREFIX}nlb-target-type": nlb.target_type,
        f"{PREFIX}scheme": cfg.load_balancer.scheme,
        f"{PREFIX}attributes": _pairs(lb_attributes),
        TG_ATTRIBUTES: _pairs(tg_attributes),
    }
    out |= health_check_annotations(nlb_health_check(cfg, wl))
    # Every TCP listener's idle timeout, said explicitly (controller v2.9+; older ones ignore
    # it and keep AWS's 350 s). TLS listeners (ACM) have a fixed 350 s.
    tls_ports = {lst.port for lst in acm_listeners(cfg)}
    for port in sorted({80, 443} - tls_ports):
        out[f"{PREFIX}listener-attributes.TCP-{port}"] = (
            f"tcp.idle_timeout.seconds={nlb.idle_timeout_seconds}")
    if nlb.subnets:
        out[f"{PREFIX}subnets"] = ", ".join(s.id for s in nlb.subnets)
    if nlb.elastic_ips:
        out[f"{PREFIX}eip-allocations"] = ", ".join(nlb.elastic_ips)
    keys = certificate_keys(cfg)
    if keys:
        listeners = acm_listeners(cfg)
        out |= {
            SSL_CERT_ANNOTATION: ",".join(_configured_arn(cfg, key) for key in keys),
            f"{PREFIX}ssl-ports": ", ".join(str(p) for p in sorted({lst.port
                                                                    for lst in listeners})),
            f"{PREFIX}ssl-negotiation-policy": ssl_policy(nlb.ssl_policy, listeners),
            # Envoy detects HTTP/2's preface on the plaintext it receives behind the NLB.
            f"{PREFIX}alpn-policy": "HTTP2Preferred",
        }
    return out


def _configured_arn(cfg: EksStack, key: str) -> str:
    arn = getattr(cfg.certificates[key], "arn", None)
    return arn or f"acm:{key}"
