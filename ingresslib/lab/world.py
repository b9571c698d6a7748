"""The world around the gateway, synthesized from the stack's config (the config is the spec).

For every routing backend: one pod per subset (labels = the backend's selector + the subset's
labels), or one pod when it has no subsets (two in either case when the backend balances by a
consistent hash: session affinity is only observable between pods); its Service unless the
render has one of that name (with `api: gatewayApi` ingresslib renders the subset Services
itself); Pods carry status.podIP,
phase Running and a Ready condition, and EndpointSlices list them, which is what Istio's
Kubernetes controller reads. The gateway's own Pod comes from the rendered Deployment (template
labels and annotations, namespace, service account); for a routing-only program (a gateway
deployed by other means) from its `GatewayWorkload` (labels), with the Service it names.
Stand-ins for the global rate-limit service and cert-manager's ACME HTTP-01 solver get a Pod
and Service too.

Mesh mTLS: a backend in a namespace the config puts under mesh mTLS (`security.namespaces`), in
a namespace rendered with `istio-injection: enabled`, or whose DestinationRule asks for
`ISTIO_MUTUAL`, runs "with a sidecar": its pods carry `security.istio.io/tlsMode: istio` (Istio
then sends mTLS to them) and the stand-in terminates mTLS with a certificate of `edgelab ca`.

Output: `World.objects` (Kubernetes objects for `edgelab xds --objects`), `World.serve_spec()`
(the JSON of `edgelab serve --spec`, LAB.md's contract) and the addresses of everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ingresslib.lab.stack import RoutingOnly
from ingresslib.stack.model import StackConfig

MESH_LABEL = "security.istio.io/tlsMode"
TRUST_DOMAIN = "cluster.local"
# The port cert-manager's HTTP-01 solver pods listen on, and the label its solver Service
# selects them by (cert-manager's http01 ingress solver).
ACME_SOLVER_PORT = 8089
ACME_SOLVER_LABEL = "acme.cert-manager.io/http01-solver"
DEFAULT_BACKEND_PORT = 8080


@dataclass(frozen=True)
class Net:
    """One run's addresses: a /24 under 127.77.0.0/16 (LAB.md's plan)."""

    prefix: str  # "127.77.N"

    @property
    def front(self) -> str:
        return f"{self.prefix}.10"

    @property
    def gateway(self) -> str:
        return f"{self.prefix}.20"

    @property
    def agent(self) -> str:
        return f"{self.prefix}.21"

    @property
    def ratelimit(self) -> str:
        return f"{self.prefix}.30"

    @property
    def acme(self) -> str:
        return f"{self.prefix}.31"

    def client(self, k: int = 0) -> str:
        """A client source address of this run's /24 (.200 + k)."""
        return f"{self.prefix}.{200 + k}"

    def pod(self, k: int) -> str:
        if k > 80:
            raise ValueError("the lab places at most 80 backend pods in one run")
        return f"{self.prefix}.{100 + k}"


@dataclass
class BackendPod:
    """One stand-in pod: a backend (or its subset) as `edgelab serve` runs it."""

    pod: str
    backend: str
    subset: str
    namespace: str
    labels: dict[str, str]
    ip: str
    port: int
    protocol: str  # http | https | grpc | tls
    sidecar: bool
    port_name: str = "app"
    service_account: str = "default"

    @property
    def spiffe(self) -> str:
        return f"spiffe://{TRUST_DOMAIN}/ns/{self.namespace}/sa/{self.service_account}"


@dataclass
class Acme:
    """A cert-manager HTTP-01 challenge that solves through the gateway."""

    issuer: str
    host: str
    token: str
    key_authorization: str
    namespace: str

    @property
    def path(self) -> str:
        return f"/.well-known/acme-challenge/{self.token}"


@dataclass
class World:
    net: Net
    pods: list[BackendPod]
    objects: list[dict[str, Any]]
    gateway_namespace: str | None
    gateway_deployment: str | None
    gateway_service_account: str
    acme: list[Acme] = field(default_factory=list)
    ratelimit: dict[str, Any] | None = None
    target_ports: dict[tuple[str, str, int], int] = field(default_factory=dict)

    @property
    def gateway_spiffe(self) -> str:
        return (f"spiffe://{TRUST_DOMAIN}/ns/{self.gateway_namespace}/sa/"
                f"{self.gateway_service_account}")

    def pods_of(self, backend: str, subset: str | None = None) -> list[BackendPod]:
        return [p for p in self.pods if p.backend == backend
                and (subset is None or p.subset == subset)]

    def serve_spec(self, mesh_ca: str | None, ready_file: str) -> dict[str, Any]:
        """`edgelab serve --spec`: every stand-in of this world."""
        backends = []
        for p in self.pods:
            entry: dict[str, Any] = {
                "pod": p.pod, "backend": p.backend, "subset": p.subset,
                "namespace": p.namespace, "labels": p.labels, "ip": p.ip,
                "ports": [{"port": p.port, "protocol": p.protocol}], "sidecar": p.sidecar,
            }
            if (p.sidecar or p.protocol in ("https", "tls")) and mesh_ca:
                entry["tls"] = {"certFile": f"{mesh_ca}/{p.pod}.pem",
                                "keyFile": f"{mesh_ca}/{p.pod}-key.pem",
                                "clientCaFile": f"{mesh_ca}/root.pem"}
            backends.append(entry)
        spec: dict[str, Any] = {
            "backends": backends,
            "agent": {"address": f"{self.net.agent}:15020",
                      "envoyAdmin": f"{self.net.gateway}:15000"},
            "readyFile": ready_file,
        }
        if self.ratelimit:
            spec["rateLimit"] = self.ratelimit
        if self.acme:
            spec["acme"] = {"address": f"{self.net.acme}:{ACME_SOLVER_PORT}",
                            "tokens": {a.token: a.key_authorization for a in self.acme}}
        return spec

    def services(self) -> list[dict[str, Any]]:
        return [o for o in self.objects if o.get("kind") == "EndpointSlice"]

    def service_endpoints(self) -> dict[tuple[str, str], list[str]]:
        """{(namespace, service): pod IPs} from the world's EndpointSlices."""
        out: dict[tuple[str, str], list[str]] = {}
        for s in self.services():
            key = (s["metadata"]["namespace"],
                   s["metadata"]["labels"]["kubernetes.io/service-name"])
            ips = out.setdefault(key, [])
            ips += [a for e in s["endpoints"] for a in e["addresses"] if a not in ips]
        return out

    def service_target_ports(self) -> dict[tuple[str, str, int], int]:
        """{(namespace, service, service port): target port} of every Service in the world."""
        return dict(self.target_ports)

    def ca_args(self) -> list[str]:
        """`edgelab ca` arguments (after --out DIR): the gateway's identity and every pod's."""
        args = ["--gateway-spiffe", self.gateway_spiffe]
        for p in self.pods:
            args += ["--workload", f"{p.pod}={p.spiffe}"]
        return args


def build_world(config: StackConfig | RoutingOnly, rendered: list[dict[str, Any]],
                net: Net) -> World:
    """The world of `config` beside the `rendered` objects, addressed in `net`."""
    by_key = {_key(o): o for o in rendered}
    objects: list[dict[str, Any]] = []
    namespaces = _namespace_labels(rendered)
    mesh_namespaces = _mesh_namespaces(config, namespaces)
    pods: list[BackendPod] = []
    for name, b in config.routing.backends.items():
        sidecar = b.namespace in mesh_namespaces or bool(
            b.traffic_policy and b.traffic_policy.tls
            and b.traffic_policy.tls.mode == "ISTIO_MUTUAL")
        protocol = _protocol(b)
        port = b.target_port if isinstance(b.target_port, int) else (
            DEFAULT_BACKEND_PORT if isinstance(b.target_port, str) else b.port)
        subsets = b.subsets or {"": {}}
        for subset, labels in subsets.items():
            # No selector in the config: the Service the world synthesizes selects app=<service>.
            pod_labels = {**(b.selector or {"app": b.service}), **labels}
            if sidecar:
                pod_labels[MESH_LABEL] = "istio"
            # Without a gateway only the load balancer connects, in plaintext: a port the
            # config keeps PERMISSIVE for it is served plain (the stand-ins model STRICT only).
            plain = config.workload is None and _permissive(config, b.namespace, pod_labels,
                                                            port)
            for k in range(_replicas(b)):
                pod_name = f"{name}-{subset}-{k}" if subset else f"{name}-{k}"
                pods.append(BackendPod(pod_name, name, subset, b.namespace, dict(pod_labels),
                                       net.pod(len(pods)), port, protocol,
                                       sidecar and not plain,
                                       port_name=b.target_port
                                       if isinstance(b.target_port, str) else "app"))
        if ("v1", "Service", b.namespace, b.service) not in by_key:
            selector = dict(b.selector) or {"app": b.service}
            svc = _service(b.service, b.namespace, selector, [
                _service_port(b.port, b.target_port or b.port, b.protocol, protocol)])
            objects.append(svc)
            by_key[_key(svc)] = svc
        namespaces.setdefault(b.namespace, {})
    world = World(net, pods, objects, None, None, "default")
    _gateway_pod(config, rendered, world)
    _gateway_service(config, rendered, by_key, world)
    _ratelimit(config, by_key, world, namespaces)
    _acme(config, by_key, world, namespaces)
    for ns, labels in sorted(namespaces.items()):
        if ("v1", "Namespace", None, ns) not in by_key:
            objects.append({"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": ns, "labels": labels}})
    for p in pods:
        objects.append(_pod(p.pod, p.namespace, p.labels, p.ip, sa=p.service_account,
                            ports=[{"containerPort": p.port, "name": p.port_name,
                                    "protocol": "TCP"}]))
    objects += _endpoint_slices(list(by_key.values()), world)
    return world


def _key(o: dict[str, Any]) -> tuple[str, str, str | None, str]:
    meta = o.get("metadata", {})
    ns = meta.get("namespace") if o.get("kind") != "Namespace" else None
    return (o.get("apiVersion", ""), o.get("kind", ""), ns, meta.get("name", ""))


def _namespace_labels(rendered: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {o["metadata"]["name"]: dict(o["metadata"].get("labels") or {})
            for o in rendered if o.get("kind") == "Namespace"}


def _mesh_namespaces(config: StackConfig, namespaces: dict[str, dict[str, str]]) -> set[str]:
    mesh = {ns for ns, labels in namespaces.items()
            if labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels}
    if config.security is not None:
        mesh |= set(config.security.namespaces)
    gateway_ns = config.workload.namespace if config.workload else None
    return mesh - {gateway_ns}


def _replicas(b: Any) -> int:
    """Pods per subset: two for a backend balanced by a consistent hash (session affinity is
    only observable between pods), else one."""
    lb = b.traffic_policy.load_balancer if b.traffic_policy else None
    hashing = lb is not None and (lb.hash_cookie or lb.hash_header or lb.hash_source_ip)
    return 2 if hashing else 1


def _permissive(config: StackConfig, ns: str, labels: dict[str, str], port: int) -> bool:
    """Whether mesh mTLS leaves plaintext open on this pod port: PERMISSIVE mode, or one of
    `security.standalonePorts` (the ports a standalone load balancer reaches)."""
    sec = config.security
    if sec is None:
        return True
    if sec.mtls == "PERMISSIVE":
        return True
    return any(ref.namespace == ns and port in ref.ports
               and all(labels.get(k) == v for k, v in ref.selector.items())
               for ref in sec.standalone_ports)


def _protocol(b: Any) -> str:
    tls = b.traffic_policy.tls if b.traffic_policy else None
    if tls is not None and tls.mode in ("SIMPLE", "MUTUAL"):
        return "https"
    return "grpc" if b.protocol == "GRPC" else "http"


def _service_port(port: int, target: int | str, app: str, lab_protocol: str) -> dict[str, Any]:
    name = "grpc" if app == "GRPC" else ("https" if lab_protocol == "https" else "http")
    app_protocol = {"grpc": "grpc", "https": "https", "http": "http"}[name]
    return {"name": name, "port": port, "targetPort": target, "protocol": "TCP",
            "appProtocol": app_protocol}


def _service(name: str, ns: str, selector: dict[str, str],
             ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"ingresslib.io/lab": "world"}},
            "spec": {"type": "ClusterIP", "selector": selector, "ports": ports,
                     "clusterIP": _cluster_ip(ns, name)}}


def _cluster_ip(ns: str, name: str) -> str:
    """A stable, distinct ClusterIP in 10.96.0.0/16 (never dialled: endpoints are)."""
    h = hashlib.sha256(f"{ns}/{name}".encode()).digest()
    return f"10.96.{h[0]}.{max(h[1], 1)}"


def _pod(name: str, ns: str, labels: dict[str, str], ip: str, *, sa: str,
         ports: list[dict[str, Any]], annotations: dict[str, str] | None = None
         ) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels,
                     "annotations": annotations or {}},
        "spec": {"serviceAccountName": sa, "nodeName": "lab-node",
                 "containers": [{"name": "app", "image": "lab", "ports": ports}]},
        "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                   "hostIP": "127.0.0.1",
                   "conditions": [{"type": "Ready", "status": "True"}]},
    }


def _gateway_pod(config: StackConfig | RoutingOnly, rendered: list[dict[str, Any]],
                 world: World) -> None:
    wl = config.workload
    if wl is None:
        return
    dep = next((o for o in rendered if o.get("kind") == "Deployment"
                and o["metadata"]["name"] == wl.name
                and o["metadata"].get("namespace") == wl.namespace), None)
    world.gateway_namespace, world.gateway_deployment = wl.namespace, wl.name
    pod_name = f"{wl.name}-lab-0"
    if isinstance(config, RoutingOnly):
        # deployed by other means: the pods the rendered Istio Gateway selects (the workload's
        # labels); `edgelab xds --gateway` names this Pod, as no Deployment is rendered
        labels = dict(wl.labels)
        annotations = {}
        sa = wl.name
        world.gateway_deployment = pod_name
    elif dep is None:  # the add-on's gateway: only its Service is patched
        labels = {"istio": wl.name, "app": wl.name}
        annotations: dict[str, str] = {}
        sa = wl.name
    else:
        tmpl = dep["spec"]["template"]
        labels = dict(tmpl["metadata"].get("labels") or {})
        annotations = dict(tmpl["metadata"].get("annotations") or {})
        sa = tmpl["spec"].get("serviceAccountName") or "default"
    world.gateway_service_account = sa
    world.objects.append(_pod(pod_name, wl.namespace, labels, world.net.gateway,
                              sa=sa, ports=[], annotations=annotations))


def _gateway_service(config: StackConfig | RoutingOnly, rendered: list[dict[str, Any]],
                     by_key: dict[Any, dict[str, Any]], world: World) -> None:
    """A routing-only program's gateway Service (`IngressRouting(service=...)`, deployed by
    other means, so not in the render): selecting the workload's labels, one port per port
    the rendered Gateways serve (Istio `servers[].port.number`, Gateway API
    `listeners[].port`), targetPort = port as in Istio's Helm chart `gateway`."""
    if not isinstance(config, RoutingOnly):
        return
    wl = config.workload
    if ("v1", "Service", wl.namespace, config.service) in by_key:
        return
    ports: dict[int, str] = {}
    for o in rendered:
        if o.get("kind") != "Gateway":
            continue
        spec = o.get("spec") or {}
        for server in spec.get("servers") or []:
            port = server.get("port") or {}
            ports.setdefault(int(port["number"]), str(port.get("protocol", "HTTP")).lower())
        for lst in spec.get("listeners") or []:
            ports.setdefault(int(lst["port"]), str(lst.get("protocol", "HTTP")).lower())
    svc = _service(config.service, wl.namespace, dict(wl.labels), [
        {"name": f"{proto}-{n}", "port": n, "targetPort": n, "protocol": "TCP"}
        for n, proto in sorted(ports.items())])
    world.objects.append(svc)
    by_key[_key(svc)] = svc


def _ratelimit(config: StackConfig, by_key: dict[Any, dict[str, Any]], world: World,
               namespaces: dict[str, dict[str, str]]) -> None:
    g = config.rate_limits.global_
    if g is None:
        return
    parts = g.service.host.split(".")
    name, ns = parts[0], (parts[1] if len(parts) > 1 else "default")
    svc = by_key.get(("v1", "Service", ns, name))
    if svc is None:
        svc = _service(name, ns, {"app": name}, [
            {"name": "grpc", "port": g.service.port, "targetPort": g.service.port,
             "protocol": "TCP", "appProtocol": "grpc"}])
        world.objects.append(svc)
        by_key[_key(svc)] = svc
    namespaces.setdefault(ns, {})
    labels = dict(svc["spec"].get("selector") or {"app": name})
    world.objects.append(_pod(f"{name}-lab-0", ns, labels, world.net.ratelimit, sa="default",
                              ports=[{"containerPort": g.service.port, "name": "grpc",
                                "protocol": "TCP"}]))
    limits = []
    for d in g.descriptors:
        if d.limit is None:
            continue
        limits.append({"descriptors": [_descriptor(a) for a in d.actions],
                       "requestsPerUnit": d.limit.requests_per_unit, "unit": d.limit.unit})
    world.ratelimit = {"address": f"{world.net.ratelimit}:{g.service.port}",
                       "domain": g.domain, "limits": limits, "mode": "up"}


def _descriptor(action: Any) -> dict[str, str]:
    """The descriptor entry an action produces (value "" = any value of that key)."""
    if action.remote_address is not None:
        return {"key": "remote_address", "value": ""}
    if action.request_headers is not None:
        return {"key": action.request_headers.descriptor_key, "value": ""}
    return {"key": "generic_key", "value": action.generic_key.value}


def _acme(config: StackConfig, by_key: dict[Any, dict[str, Any]], world: World,
          namespaces: dict[str, dict[str, str]]) -> None:
    """cert-manager's HTTP-01 solver as cert-manager creates it for each certificate whose
    issuer solves http01: a Service selecting the solver pod (port 8089) and an Ingress of the
    issuer's class routing `/.well-known/acme-challenge/<token>` for each of its DNS names to
    it, in the certificate's namespace (the gateway's, where Istio reads the secret)."""
    wl = config.workload
    if wl is None:
        return
    issuers = config.cert_manager.issuers
    first = True
    for cert_name, cert in sorted(config.certificates.items()):
        issuer = issuers.get(getattr(cert, "issuer", "") or "")
        solver = getattr(issuer, "solver", None)
        if solver is None or getattr(solver, "kind", None) != "http01":
            continue
        ns = wl.namespace
        svc_name = f"cm-acme-http-solver-{cert_name}"[:63]
        selector = {ACME_SOLVER_LABEL: "true"}
        svc = _service(svc_name, ns, selector, [
            {"name": "http", "port": ACME_SOLVER_PORT, "targetPort": ACME_SOLVER_PORT,
             "protocol": "TCP"}])
        svc["spec"]["type"] = "NodePort"
        world.objects.append(svc)
        by_key[_key(svc)] = svc
        if first:
            world.objects.append(_pod("cm-acme-http-solver-lab", ns, selector, world.net.acme,
                                      sa="default", ports=[{"containerPort": ACME_SOLVER_PORT,
                                                   "name": "http", "protocol": "TCP"}]))
            first = False
        rules = []
        for host in getattr(cert, "dns_names", []) or []:
            if host.startswith("*."):
                continue  # wildcards cannot be solved over HTTP-01
            token = hashlib.sha256(f"{cert_name}/{host}".encode()).hexdigest()[:43]
            world.acme.append(Acme(issuer=cert.issuer, host=host, token=token,
                                   key_authorization=f"{token}.lab-account-thumbprint",
                                   namespace=ns))
            rules.append({"host": host, "http": {"paths": [{
                "path": f"/.well-known/acme-challenge/{token}",
                "pathType": "ImplementationSpecific",
                "backend": {"service": {"name": svc_name,
                                        "port": {"number": ACME_SOLVER_PORT}}}}]}})
        if rules:
            world.objects.append({
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": f"cm-acme-http-solver-{cert_name}"[:63], "namespace": ns,
                             "labels": {ACME_SOLVER_LABEL: "true"},
                             "annotations": {
                                 "kubernetes.io/ingress.class": solver.ingress_class,
                                 "nginx.ingress.kubernetes.io/whitelist-source-range":
                                     "0.0.0.0/0,::/0"}},
                "spec": {"rules": rules}})


def _endpoint_slices(services: list[dict[str, Any]], world: World) -> list[dict[str, Any]]:
    """One EndpointSlice per Service whose selector matches world pods."""
    pods = [o for o in world.objects if o.get("kind") == "Pod"]
    slices = []
    for svc in services:
        if svc.get("kind") != "Service" or svc.get("apiVersion") != "v1":
            continue
        selector = (svc.get("spec") or {}).get("selector") or {}
        ns = svc["metadata"].get("namespace")
        if not selector:
            continue
        members = [p for p in pods if p["metadata"]["namespace"] == ns
                   and all(p["metadata"]["labels"].get(k) == v for k, v in selector.items())]
        if not members:
            continue
        for i, sp in enumerate(svc["spec"].get("ports") or []):
            targets = sorted({_target(sp, p) for p in members})
            if targets:
                world.target_ports[(ns, svc["metadata"]["name"], int(sp["port"]))] = targets[0]
            for number in targets:
                chosen = [p for p in members if _target(sp, p) == number]
                slices.append({
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {
                        "name": f"{svc['metadata']['name']}-lab-{i}-{number}",
                        "namespace": ns,
                        "labels": {"kubernetes.io/service-name": svc["metadata"]["name"],
                                   "endpointslice.kubernetes.io/managed-by":
                                       "endpointslice-controller.k8s.io"}},
                    "addressType": "IPv4",
                    "endpoints": [{
                        "addresses": [p["status"]["podIP"]],
                        "conditions": {"ready": True, "serving": True, "terminating": False},
                        "nodeName": "lab-node",
                        "targetRef": {"kind": "Pod", "name": p["metadata"]["name"],
                                      "namespace": ns}} for p in chosen],
                    "ports": [{"name": sp.get("name", ""), "port": number,
                               "protocol": sp.get("protocol", "TCP"),
                               **({"appProtocol": sp["appProtocol"]}
                                  if sp.get("appProtocol") else {})}],
                })
    return slices


def _target(service_port: dict[str, Any], pod: dict[str, Any]) -> int:
    target = service_port.get("targetPort", service_port["port"])
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in pod["spec"]["containers"]:
        for cp in c.get("ports") or []:
            if cp.get("name") == target:
                return int(cp["containerPort"])
    # a named port our synthesized pods do not name: the lab's stand-in listens on its one port
    ports = [cp["containerPort"] for c in pod["spec"]["containers"] for cp in c.get("ports") or []]
    return int(ports[0]) if ports else DEFAULT_BACKEND_PORT
