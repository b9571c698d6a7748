"""Seeded random Istio objects for the analysis: wildcard and exact hosts, namespaced server
hosts, several Gateways on shared or distinct pods, HTTPS servers picked by SNI, redirects,
delegates, the inherit annotation. Same seed, same objects."""

from __future__ import annotations

import random
from typing import Any

from ingresslib.analysis import WILDCARD_ROUTES_ANNOTATION

Obj = dict[str, Any]
_DOMAINS = ("example.com", "shop.example.com", "example.org")


def _host(rng: random.Random, hosts: int) -> str:
    domain = rng.choice(_DOMAINS)
    kind = rng.random()
    if kind < 0.15:
        return f"*.{domain}"
    if kind < 0.2:
        return rng.choice(("*", f"*.a{rng.randrange(3)}.{domain}"))
    return f"h{rng.randrange(hosts)}.{domain}"


def _server(rng: random.Random, hosts: int, index: int) -> Obj:
    names = []
    for _ in range(rng.randrange(1, 6)):
        prefix = rng.choice(("", "", "", "*/", "apps/", "team/", "./"))
        names.append(prefix + _host(rng, hosts))
    protocol = rng.choice(("HTTP", "HTTPS", "HTTPS", "TLS", "GRPC"))
    server: Obj = {"hosts": names, "port": {"number": rng.choice((80, 443, 8443)),
                                             "name": f"p{index}", "protocol": protocol}}
    if protocol in ("HTTPS", "TLS"):
        server["tls"] = {"mode": rng.choice(("SIMPLE", "SIMPLE", "PASSTHROUGH")),
                         "credentialName": f"cert{rng.randrange(4)}"}
    elif rng.random() < 0.3:
        server["tls"] = {"httpsRedirect": True}
    return server


def _rule(rng: random.Random, i: int) -> Obj:
    rule: Obj = {"name": f"r{rng.randrange(6)}" if rng.random() < 0.8 else None,
                 "route": [{"destination": {"host": f"svc{rng.randrange(3)}",
                                            "subset": rng.choice((None, "v1", "v2"))},
                            "weight": rng.choice((100, 50, 0, -1))}
                           for _ in range(rng.randrange(1, 3))]}
    if rng.random() < 0.7:
        rule["match"] = [{"uri": {"prefix": f"/p{rng.randrange(5)}/"}}]
    if rng.random() < 0.2:
        rule["timeout"] = rng.choice(("5s", "0.5ms", "abc", 3))
    return {k: v for k, v in rule.items() if v is not None}


def istio_objects(seed: int, hosts: int = 12) -> list[Obj]:
    """Gateways, VirtualServices, DestinationRules, Services and Secrets for `analyze`."""
    rng = random.Random(seed)
    selectors = [{"istio": "ingress"}, {"istio": "ingress", "rev": "a"}, {"istio": "other"}]
    gateways = []
    for g in range(rng.randrange(1, 4)):
        gateways.append({
            "apiVersion": "networking.istio.io/v1", "kind": "Gateway",
            "metadata": {"name": f"gw{g}", "namespace": rng.choice(("istio-ingress", "apps"))},
            "spec": {"selector": rng.choice(selectors),
                     "servers": [_server(rng, hosts, i) for i in range(rng.randrange(1, 4))]},
        })
    services = []
    for vs_index in range(rng.randrange(2, 3 * hosts)):
        ns = rng.choice(("apps", "team", "istio-ingress"))
        gws = [rng.choice(("gw0", "gw1", "istio-ingress/gw0", "apps/gw2", "mesh", "nogw"))
               for _ in range(rng.randrange(1, 3))]
        vs_hosts = list(dict.fromkeys(_host(rng, hosts) for _ in range(rng.randrange(1, 3))))
        http = [_rule(rng, i) for i in range(rng.randrange(0, 4))]
        if rng.random() < 0.1:
            http.append({"delegate": {"name": f"vs{rng.randrange(vs_index + 1)}",
                                      "namespace": ns}})
        meta: Obj = {"name": f"vs{vs_index}", "namespace": ns}
        if rng.random() < 0.2:
            meta["annotations"] = {WILDCARD_ROUTES_ANNOTATION: rng.choice(("true", "false"))}
        services.append({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                         "metadata": meta,
                         "spec": {"hosts": vs_hosts, "gateways": gws, "http": http}})
    rules = [{"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
              "metadata": {"name": f"dr{i}", "namespace": "apps"},
              "spec": {"host": f"svc{i}", "subsets": [{"name": "v1"}],
                       "trafficPolicy": {"connectionPool": {"tcp": {
                           "connectTimeout": rng.choice(("1s", "1.5us"))}}}}}
             for i in range(2)]
    k8s_services = [{"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": f"ingress{i}", "namespace": "istio-ingress"},
                     "spec": {"selector": rng.choice(selectors),
                              "ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
                    for i in range(rng.randrange(0, 3))]
    secrets = [{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": "cert0", "namespace": "istio-ingress"}}]
    return [*gateways, *services, *rules, *k8s_services, *secrets]
