"""Azure Standard Load Balancer, as cloud-provider-azure makes it from a LoadBalancer Service.

Read from the Service: one load-balancing rule per TCP port unless
`port_<port>_no_lb_rule: "true"` (no rule, no probe); `port_<port>_no_probe_rule`; the probe
of each rule from `port_<port>_health-probe_{protocol,port,request-path,interval,num-of-probe}`
falling back to the global `azure-load-balancer-health-probe-*` annotations; defaults by
externalTrafficPolicy: Local probes kube-proxy's health check node port (HTTP /healthz),
Cluster probes the port's node port with TCP, or with the port's appProtocol (http/https) on
path `/`. A `health-probe_port` naming a Service port probes that port's node port (collapsed
onto the pod's target port); any other number is a node port the lab has no stand-in for.
`azure-load-balancer-tcp-idle-timeout` (minutes, default 4) is the flows' idle timeout;
`loadBalancerSourceRanges` / `azure-allowed-ip-ranges` are the NSG's allowed sources.

Sources:
- https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#custom-load-balancer-health-probe
  (default probe table; per-port annotations; interval 5 s, num-of-probe 2 by default)
- https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations
- https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout
  (4 to 100 minutes; TCP reset on idle with Standard SKU)
- https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview
  (HTTP probes healthy only on 200; one success marks up)
"""

from __future__ import annotations

from typing import Any

from ingresslib.lab.front import envoy
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import Render, ref, service_ports
from ingresslib.lab.front.targets import service_targets

P = "service.beta.kubernetes.io/"
G = P + "azure-load-balancer-health-probe-"
NOT_MODELED = [
    "pass-through: the target sees the front's address, not the client's (floating IP and "
    "client IP preservation are not modeled)",
    "nodes and node ports are collapsed onto the pod; probes come from the front's address, "
    "not 168.63.129.16",
    "TCP reset on idle timeout: Envoy closes idle flows with FIN (Timeout.on_idle says "
    "what Azure does)",
    "HTTP probe timeout: the lab uses the probe interval",
    "public IP, DNS label, resource group, internal subnet: one front address",
]


def _true(ann: dict[str, str], key: str) -> bool:
    return ann.get(key, "").strip().lower() == "true"


def _num(obj: str, ann: dict[str, str], keys: tuple[str, ...], default: int) -> int:
    for k in keys:
        if k in ann:
            if not ann[k].strip().isdigit():
                raise FrontError(obj, f"metadata.annotations[{k}]", f"{ann[k]!r} not a number")
            return int(ann[k])
    return default


def probe(render: Render, svc: dict[str, Any], port: dict[str, Any], addresses: Addresses,
          cluster: str) -> HealthCheck | None:
    """The probe cloud-provider-azure makes for one Service port (None: no probe rule)."""
    obj = ref(svc)
    ann = {k: str(v) for k, v in ((svc.get("metadata") or {}).get("annotations") or {}).items()}
    n = int(port["port"])
    pp = f"{P}port_{n}_health-probe_"
    if _true(ann, f"{P}port_{n}_no_probe_rule"):
        return None
    interval = _num(obj, ann, (pp + "interval", G + "interval"), 5)
    count = _num(obj, ann, (pp + "num-of-probe", G + "num-of-probe"), 2)
    proto = (ann.get(pp + "protocol") or ann.get(G + "protocol") or "").strip().lower()
    path = ann.get(pp + "request-path") or ann.get(G + "request-path") or "/"
    local = (svc.get("spec") or {}).get("externalTrafficPolicy") == "Local"
    common = {"interval": float(interval), "timeout": float(interval),
              "healthy_threshold": 1, "unhealthy_threshold": count, "cluster": cluster}
    if not proto and local:
        return HealthCheck(name=f"{obj} port {n}", target_ip="", port=0, protocol="HTTP",
                           path="/healthz", healthy_codes=((200, 200),), emulated=False,
                           source="externalTrafficPolicy Local default: kube-proxy "
                                  "healthCheckNodePort", **common)
    if not proto:
        app = str(port.get("appProtocol", "")).lower()
        proto = app if app in ("http", "https") else "tcp"
    if proto not in ("tcp", "http", "https"):
        raise FrontError(obj, f"metadata.annotations[{pp}protocol]", f"{proto!r}")
    probe_port_raw = ann.get(pp + "port", "").strip()
    ips, tport, _ = service_targets(render, addresses, svc["metadata"]["namespace"],
                                    svc["metadata"]["name"], n, via=obj)
    hport, emulated, src = tport, True, f"{obj} port {n} node port"
    if probe_port_raw:
        match = [p for p in service_ports(svc) if str(p.get("port")) == probe_port_raw
                 or p.get("name") == probe_port_raw]
        if match:
            _, hport, _ = service_targets(render, addresses, svc["metadata"]["namespace"],
                                          svc["metadata"]["name"], int(match[0]["port"]),
                                          via=obj)
            src = f"{obj} {pp}port={probe_port_raw} (Service port's node port)"
        elif probe_port_raw.isdigit():
            hport, emulated = int(probe_port_raw), False
            src = f"{obj} {pp}port={probe_port_raw}: a node port outside the Service"
        else:
            raise FrontError(obj, f"metadata.annotations[{pp}port]", f"{probe_port_raw!r}")
    http = proto != "tcp"
    return HealthCheck(name=f"{obj} port {n}", target_ip=ips[0], port=hport,
                       protocol=proto.upper(), path=path if http else "",
                       healthy_codes=((200, 200),) if http else (), emulated=emulated,
                       source=src, **common)


def build(render: Render, svc: dict[str, Any], addresses: Addresses, ca: LabCA) -> FrontPlan:
    obj = ref(svc)
    meta = svc.get("metadata") or {}
    ann = {k: str(v) for k, v in (meta.get("annotations") or {}).items()}
    spec = svc.get("spec") or {}
    idle_min = _num(obj, ann, (P + "azure-load-balancer-tcp-idle-timeout",), 4)
    if not 4 <= idle_min <= 100:
        raise FrontError(obj, f"metadata.annotations[{P}azure-load-balancer-tcp-idle-timeout]",
                         f"{idle_min} minutes is outside 4-100")
    idle = idle_min * 60.0
    ranges = tuple(spec.get("loadBalancerSourceRanges") or []) or tuple(
        r.strip() for r in ann.get(P + "azure-allowed-ip-ranges", "").split(",") if r.strip()
    ) or ("0.0.0.0/0",)
    not_modeled = list(NOT_MODELED)
    no_reset = _true(ann, P + "azure-load-balancer-disable-tcp-reset")
    if no_reset:
        not_modeled.append("disable-tcp-reset: idle flows are dropped silently by Azure; the "
                           "lab closes them")
    listeners, clusters, fl, hcs, timeouts = [], [], [], [], []
    for p in service_ports(svc):
        n = int(p["port"])
        if _true(ann, f"{P}port_{n}_no_lb_rule") or p.get("protocol", "TCP") != "TCP":
            continue
        ips, tport, _ = service_targets(render, addresses, meta["namespace"], meta["name"], n,
                                        via=obj)
        cname = envoy.safe_name("azlb", meta["name"], n)
        hc = probe(render, svc, p, addresses, cname)
        if hc is not None:
            hcs.append(hc)
        if hc is not None and not hc.emulated:
            not_modeled.append(f"probe of port {n}: {hc.source} (not run; targets stay in "
                               "rotation)")
        clusters.append(envoy.cluster(cname, [(ip, tport) for ip in ips],
                                      hc=hc if hc is not None and hc.emulated else None,
                                      hc_socket=envoy.upstream_tls()
                                      if hc is not None and hc.protocol == "HTTPS" else None))
        bind = addresses.bind_port(n)
        listeners.append(envoy.listener(f"azlb-{n}", addresses.front_ip, bind, [{"filters": [
            envoy.rbac_source(f"azlb_{n}_nsg", ranges),
            envoy.tcp_proxy(f"azlb_{n}", cname, idle)]}]))
        timeouts.append(Timeout("tcp-idle", idle, f"rule TCP:{n}",
                                f"{obj} {P}azure-load-balancer-tcp-idle-timeout={idle_min} min"
                                if P + "azure-load-balancer-tcp-idle-timeout" in ann
                                else "Azure default (4 min)",
                                on_idle="drop" if no_reset else "reset"))
        fl.append(FrontListener(name=f"TCP:{n}", ip=addresses.front_ip, port=n, bind_port=bind,
                                protocol="TCP", idle_timeout=idle, source_ranges=ranges,
                                source=f"{obj} spec.ports[{p.get('name', n)}]"))
    return FrontPlan(product="azure-lb",
                     bootstrap=envoy.bootstrap(addresses, listeners, clusters),
                     listeners=fl, health_checks=hcs, timeouts=timeouts,
                     not_modeled=not_modeled, ca_pem=ca.pem,
                     proxy_protocol={c["name"]: False for c in clusters})
