"""ingresslib.aws.rules: each AWS edge rule refuses exactly its case, at the field path, with
the value and the whole message (what is wrong, why, and the fix), and accepts the value
beside it. EXPECTED holds every refusal of each case as parse_config reports it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import ACM, HOST, HTTP, HTTPS_ACM, NLB_SUBNETS, alb_stack, nlb_stack
from tests.shared import refusals

PROXY = "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"
TG_ATTRIBUTES = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"
RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"
EIPS = ["eipalloc-0a1b2c3d4e5f60001", "eipalloc-0a1b2c3d4e5f60002"]
SECRET = {"source": "secret", "secretName": "other-tls", "dnsNames": ["other.example.com"]}
OFFICE = {"name": "office", "action": "ALLOW", "clientCidrs": ["198.51.100.0/24"]}


def _nlb(gateway: dict[str, Any] | None = None, **nlb: Any) -> dict[str, Any]:
    """nlb_stack with aws.nlb set to `nlb` and the gateway section `gateway`."""
    data = nlb_stack(aws={"nlb": nlb})
    if gateway is not None:
        data["gateway"] = gateway
    return data


def _alb(topology: str = "chained", **alb: Any) -> dict[str, Any]:
    data = alb_stack(topology)
    data["aws"]["alb"].update(copy.deepcopy(alb))
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _subnets(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": f"subnet-0a1b2c3d4e5f6000{i}", "zone": z} if s == "" else
            {"id": s, "zone": z} for i, (s, z) in enumerate(pairs)]


_ACM_ON_443_BESIDE_A_SECRET = nlb_stack(
    listeners=[HTTP, HTTPS_ACM, {"name": "other", "port": 443, "protocol": "HTTPS",
                                 "hosts": ["other.example.com"],
                                 "tls": {"certificate": "other"}}],
    certificates={"edge": ACM, "other": SECRET})
_GRPC_ROUTED = _with(
    _alb(protocolVersion="GRPC"),
    listeners=[{**HTTP, "httpsRedirect": True},
               {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                "tls": {"certificate": "edge-acm"}}],
    routing={"backends": {"web": {"service": "web", "namespace": "shop", "port": 8080},
                          "shadow": {"service": "shadow", "namespace": "shop", "port": 8080},
                          "ok": {"service": "ok", "namespace": "shop", "port": 8080,
                                 "trafficPolicy": {"connectionPool": {"http": {
                                     "useClientProtocol": True}}}},
                          "off": {"service": "off", "namespace": "shop", "port": 8080,
                                  "trafficPolicy": {"connectionPool": {"http": {
                                      "useClientProtocol": False}}}},
                          "idle": {"service": "idle", "namespace": "shop", "port": 8080}},
             "hosts": [{"host": HOST, "routes": [
                 {"name": "a", "match": [{"uri": {"prefix": "/a"}}],
                  "to": [{"backend": "web"}], "mirror": {"backend": "shadow"}},
                 {"name": "b", "match": [{"uri": {"prefix": "/b"}}], "to": [{"backend": "ok"}]},
                 {"name": "c", "to": [{"backend": "off"}]}]}]})

CASES: dict[str, dict[str, Any]] = {
    "alb-missing": nlb_stack(topology="chained"),
    "nlb-subnet-ids-repeat": _nlb(subnets=_subnets(("subnet-0a1b2c3d4e5f60001", "eu-west-1a"),
                                                   ("subnet-0a1b2c3d4e5f60001", "eu-west-1b"),
                                                   ("subnet-0a1b2c3d4e5f60001", "eu-west-1c"))),
    "nlb-subnet-zones-repeat": _nlb(subnets=_subnets(("", "eu-west-1a"), ("", "eu-west-1a"),
                                                     ("", "eu-west-1a"), ("", "eu-west-1b"))),
    "proxy-annotation-without-proxy": _nlb({"service": {"annotations": {PROXY: "*"}}}),
    "proxy-attribute-spelled-loosely": _nlb({"service": {"annotations": {
        TG_ATTRIBUTES: "deregistration_delay.timeout_seconds=30, "
                       "Proxy_Protocol_V2.Enabled = TRUE"}}}),
    "proxy-attribute-off": _nlb({"service": {"annotations": {
        TG_ATTRIBUTES: "proxy_protocol_v2.enabled=false"}}}),
    "proxy-annotation-with-proxy": _nlb({"service": {"annotations": {PROXY: "*"}}},
                                        proxyProtocol=True),
    "source-ranges-annotation": _nlb({"service": {"annotations": {RANGES: "10.0.0.0/8"}}}),
    "annotation-left-to-the-user": _nlb({"service": {"annotations": {
        "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
        "example.com/team": "edge"}}}),
    "load-balancer-class-other": _nlb({"service": {"loadBalancerClass": "example.com/lb"}}),
    "load-balancer-class-lbc": _nlb({"service": {"loadBalancerClass": "service.k8s.aws/nlb"}}),
    "eips-on-internal-nlb": _with(_nlb(subnets=NLB_SUBNETS, elasticIps=EIPS),
                                  loadBalancer={"scheme": "internal"}),
    "eips-fewer-than-subnets": _nlb(subnets=NLB_SUBNETS, elasticIps=EIPS[:1]),
    "eips-repeated": _nlb(subnets=NLB_SUBNETS, elasticIps=[EIPS[0], EIPS[0]]),
    "eips-match": _nlb(subnets=NLB_SUBNETS, elasticIps=EIPS),
    "source-ranges-without-preservation": _nlb(
        {"service": {"loadBalancerSourceRanges": ["203.0.113.0/24"]}}, preserveClientIp=False),
    "client-cidrs-without-preservation": _with(
        _nlb(preserveClientIp=False),
        security={"authorization": [
            {"name": "api", "action": "DENY", "paths": ["/admin/*"]}, OFFICE,
            {"name": "not-office", "action": "DENY", "notClientCidrs": ["198.51.100.0/24"]}]}),
    "client-cidrs-internal-unset": _with(
        _nlb(), loadBalancer={"scheme": "internal"}, security={"authorization": [OFFICE]}),
    "client-cidrs-instance-targets": _with(
        _nlb(preserveClientIp=False, targetType="instance"),
        security={"authorization": [OFFICE]}),
    "client-cidrs-with-proxy-protocol": _with(
        _nlb(preserveClientIp=False, proxyProtocol=True), security={"authorization": [OFFICE]}),
    "acm-port-shared-with-a-secret": _ACM_ON_443_BESIDE_A_SECRET,
    # mutmut found it (aws/rules 151, 152): plain HTTP where the NLB ends TLS was accepted.
    "http-on-an-acm-port": nlb_stack(listeners=[HTTP, HTTPS_ACM, {
        "name": "plain", "port": 443, "protocol": "HTTP", "hosts": ["other.example.com"]}]),
    "nlb-mutual-and-ciphers-at-acm": nlb_stack(listeners=[HTTP, {
        **HTTPS_ACM, "tls": {"certificate": "edge", "mode": "MUTUAL",
                             "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}}]),
    "nlb-tls13-listener-tls12-policy": _with(
        _nlb(sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
        listeners=[HTTP, {**HTTPS_ACM, "tls": {"certificate": "edge",
                                               "minProtocolVersion": "TLSV1_3"}}]),
    "nlb-tls13-listener-tls13-policy": _with(
        _nlb(sslPolicy="ELBSecurityPolicy-TLS13-1-3-2021-06"),
        listeners=[HTTP, {**HTTPS_ACM, "tls": {"certificate": "edge",
                                               "minProtocolVersion": "TLSV1_3"}}]),
    "alb-one-zone": _alb(subnets=[{"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a"},
                                  {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1a"}]),
    "alb-no-subnets": _alb(subnets=[]),
    "alb-tls-passthrough-and-no-acm": _with(
        _alb("standalone"),
        listeners=[HTTP, {"name": "db", "port": 5432, "protocol": "TLS",
                          "hosts": ["db.example.com"], "tls": {"mode": "PASSTHROUGH"}}],
        certificates={}),
    "alb-port-with-two-protocols": _with(
        _alb("standalone"),
        listeners=[{"name": "web", "port": 8443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm"}},
                   {"name": "plain", "port": 8443, "protocol": "HTTP",
                    "hosts": ["other.example.com"]},
                   {"name": "more", "port": 8443, "protocol": "HTTP",
                    "hosts": ["more.example.com"]}]),
    "alb-tls13-listener-tls12-policy": _with(
        _alb(sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
        listeners=[{"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm", "minProtocolVersion": "TLSV1_3"}}]),
    "alb-mutual-and-ciphers-at-acm": _with(_alb(), listeners=[HTTP, {
        "name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
        "tls": {"certificate": "edge-acm", "mode": "MUTUAL",
                "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}}]),
    "chained-alb-with-backends": _alb(backends={"web": {"protocolVersion": "HTTP2"}}),
    "standalone-alb-protocol-version": _alb("standalone", protocolVersion="HTTP1"),
    "standalone-health-checks": _alb("standalone", backends={
        "web": {"protocolVersion": "GRPC", "healthCheckMatcher": "200",
                "healthCheckPath": "/healthz"}}),
    "standalone-http-health-with-grpc-codes": _alb("standalone", backends={
        "web": {"healthCheckMatcher": "12", "healthCheckPath": "/healthz"}}),
    "standalone-grpc-health-right": _alb("standalone", backends={
        "web": {"protocolVersion": "GRPC", "healthCheckMatcher": "0-99",
                "healthCheckPath": "/grpc.health.v1.Health/Check"}}),
    "chained-http2-plain-http": _with(_alb(protocolVersion="HTTP2"), listeners=[
        {**HTTP, "httpsRedirect": False},
        {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
         "tls": {"certificate": "edge-acm"}},
        {"name": "extra", "port": 80, "protocol": "HTTP", "hosts": ["other.example.com"]}]),
    "chained-http2-redirected": _with(_alb(protocolVersion="HTTP2"), listeners=[
        {**HTTP, "httpsRedirect": True},
        {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
         "tls": {"certificate": "edge-acm"}}]),
    "chained-grpc-upstream-protocol": _GRPC_ROUTED,
    "chained-grpc-route-to-no-backend": _with(
        _GRPC_ROUTED, routing={**_GRPC_ROUTED["routing"], "hosts": [{"host": HOST, "routes": [
            {"name": "a", "to": [{"backend": "ghost"}]}]}]}),
    "validation-zone-outside": nlb_stack(certificates={"edge": {
        "source": "acm", "dnsNames": [HOST, "www.example.org"], "validationZone": "example.org"}}),
    "dns-zone-outside": _with(
        nlb_stack(aws={"dns": {"zone": "example.org"}}),
        listeners=[{**HTTP, "hosts": [HOST, "*"], "allowAnyHost": True},
                   {**HTTPS_ACM, "hosts": ["www.example.org"]}],
        certificates={"edge": {**ACM, "dnsNames": [HOST, "www.example.org"]}}),
    "netpol-nlb-subnets-without-cidr": _nlb(
        {"networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}},
        subnets=[NLB_SUBNETS[0], {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b"}]),
    "netpol-nlb-subnets-with-cidr": _nlb({"networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}},
                                         subnets=NLB_SUBNETS),
    "netpol-nlb-instance-targets": _nlb({"networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}},
                                        targetType="instance"),
    "netpol-off": _nlb({"networkPolicy": {"enabled": False, "ingressFrom": ["203.0.113.0/24"]}}),
    "netpol-alb-subnets-without-cidr": _with(
        _alb(subnets=[{"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a"},
                      {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b"}]),
        gateway={"networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'alb-missing': [('aws.alb',
                  None,
                  'topology chained on EKS needs an ALB: set aws.alb with vpcId, subnets (two '
                  'or more zones), allowedCidrs and targetSecurityGroup')],
 'nlb-subnet-ids-repeat': [('aws.nlb.subnets[1].id',
                            'subnet-0a1b2c3d4e5f60001',
                            'duplicates aws.nlb.subnets[0].id'),
                           ('aws.nlb.subnets[2].id',
                            'subnet-0a1b2c3d4e5f60001',
                            'duplicates aws.nlb.subnets[0].id')],
 'nlb-subnet-zones-repeat': [('aws.nlb.subnets[1].zone',
                              'eu-west-1a',
                              'aws.nlb.subnets[0] is already in this zone; a load balancer '
                              'takes one subnet per availability zone'),
                             ('aws.nlb.subnets[2].zone',
                              'eu-west-1a',
                              'aws.nlb.subnets[0] is already in this zone; a load balancer '
                              'takes one subnet per availability zone')],
 'proxy-annotation-without-proxy': [('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-proxy-protocol',  # noqa: E501
                                     '*',
                                     'enables PROXY protocol on the NLB only, while the '
                                     'gateway pods would not expect it (every request would '
                                     'fail to parse); set aws.nlb.proxyProtocol: true, which '
                                     'configures both sides')],
 'proxy-attribute-spelled-loosely': [('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',  # noqa: E501
                                      'deregistration_delay.timeout_seconds=30, '
                                      'Proxy_Protocol_V2.Enabled = TRUE',
                                      'enables PROXY protocol on the NLB only, while the '
                                      'gateway pods would not expect it (every request would '
                                      'fail to parse); set aws.nlb.proxyProtocol: true, which '
                                      'configures both sides')],
 'proxy-attribute-off': [('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',  # noqa: E501
                          'proxy_protocol_v2.enabled=false',
                          'ingresslib writes it from loadBalancer.deregistrationDelaySeconds, '
                          'aws.nlb.connectionTermination, aws.nlb.preserveClientIp and '
                          'aws.nlb.proxyProtocol; set that and remove the annotation '
                          '(EDGE-MSG-KEY)')],
 'proxy-annotation-with-proxy': [('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-proxy-protocol',  # noqa: E501
                                  '*',
                                  'ingresslib writes it from aws.nlb.proxyProtocol; set that '
                                  'and remove the annotation (EDGE-MSG-KEY)')],
 'source-ranges-annotation': [('gateway.service.annotations.service.beta.kubernetes.io/load-balancer-source-ranges',  # noqa: E501
                               '10.0.0.0/8',
                               "is read by the AWS Load Balancer Controller as the NLB's "
                               'client ranges; set gateway.service.loadBalancerSourceRanges '
                               'instead')],
 'annotation-left-to-the-user': [],
 'load-balancer-class-other': [('gateway.service.loadBalancerClass',
                                'example.com/lb',
                                'the AWS Load Balancer Controller only reconciles class '
                                'service.k8s.aws/nlb (or none, with the annotations '
                                'ingresslib sets); remove it')],
 'load-balancer-class-lbc': [],
 'eips-on-internal-nlb': [('aws.nlb.elasticIps',
                           ['eipalloc-0a1b2c3d4e5f60001', 'eipalloc-0a1b2c3d4e5f60002'],
                           'Elastic IPs need an internet-facing NLB (loadBalancer.scheme)')],
 'eips-fewer-than-subnets': [('aws.nlb.elasticIps',
                              ['eipalloc-0a1b2c3d4e5f60001'],
                              '1 Elastic IP(s) for 2 subnet(s) in aws.nlb.subnets: the NLB '
                              'takes exactly one per subnet, in order; list the subnets or '
                              'match the counts')],
 'eips-repeated': [('aws.nlb.elasticIps',
                    ['eipalloc-0a1b2c3d4e5f60001', 'eipalloc-0a1b2c3d4e5f60001'],
                    'lists an allocation twice')],
 'eips-match': [],
 'source-ranges-without-preservation': [('aws.nlb.preserveClientIp',
                                         False,
                                         'the AWS Load Balancer Controller ignores '
                                         'gateway.service.loadBalancerSourceRanges when '
                                         'client IP preservation is off, so every address '
                                         'would be let in; keep it true or remove the '
                                         'ranges')],
 'client-cidrs-without-preservation': [('security.authorization[office]',
                                        'office',
                                        'matches client CIDRs, but with client IP '
                                        'preservation off (aws.nlb.preserveClientIp) and no '
                                        "PROXY protocol the gateway sees the NLB's address; "
                                        'set aws.nlb.proxyProtocol: true, or '
                                        'aws.nlb.preserveClientIp: true'),
                                       ('security.authorization[not-office]',
                                        'not-office',
                                        'matches client CIDRs, but with client IP '
                                        'preservation off (aws.nlb.preserveClientIp) and no '
                                        "PROXY protocol the gateway sees the NLB's address; "
                                        'set aws.nlb.proxyProtocol: true, or '
                                        'aws.nlb.preserveClientIp: true')],
 'client-cidrs-internal-unset': [('security.authorization[office]',
                                  'office',
                                  'matches client CIDRs, but with client IP preservation off '
                                  '(unset on an internal NLB, so that in-cluster callers are '
                                  'not dropped as hairpin traffic: EDGE-IN-HAIRPIN) and no '
                                  "PROXY protocol the gateway sees the NLB's address; set "
                                  'aws.nlb.proxyProtocol: true, or aws.nlb.preserveClientIp: '
                                  'true')],
 'client-cidrs-instance-targets': [],
 'client-cidrs-with-proxy-protocol': [],
 'acm-port-shared-with-a-secret': [('listeners[https].tls.certificate',
                                    'edge',
                                    'port 443 mixes ACM certificates (TLS ends at the NLB) '
                                    'with certificates the gateway presents; the NLB '
                                    'terminates a whole port or none of it: use one kind per '
                                    'port (EDGE-TLS-NLB-PORT)')],
 'http-on-an-acm-port': [('listeners[plain].port',
                          443,
                          "plain HTTP on a port where the NLB ends TLS (listeners[https]'s ACM "
                          'certificate): the NLB terminates a whole port, so HTTP clients meet '
                          'a TLS handshake; serve HTTP on another port (80) (EDGE-TLS-NLB-PORT)')],
 'nlb-mutual-and-ciphers-at-acm': [('listeners[https].tls.mode',
                                    'MUTUAL',
                                    'certificate edge is from ACM, so the NLB terminates TLS '
                                    'and cannot ask for client certificates; use a '
                                    'certificate the gateway presents (secret, certManager) '
                                    'for MUTUAL'),
                                   ('listeners[https].tls.cipherSuites',
                                    ['ECDHE-RSA-AES128-GCM-SHA256'],
                                    'the NLB picks ciphers from its security policy; remove '
                                    'them and set aws.nlb.sslPolicy')],
 'nlb-tls13-listener-tls12-policy': [('aws.nlb.sslPolicy',
                                      'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                      'listeners[https] requires TLS 1.3 and this policy '
                                      'accepts TLS 1.2; use '
                                      'ELBSecurityPolicy-TLS13-1-3-2021-06')],
 'nlb-tls13-listener-tls13-policy': [],
 'alb-one-zone': [('aws.alb.subnets[1].zone',
                   'eu-west-1a',
                   'aws.alb.subnets[0] is already in this zone; a load balancer takes one '
                   'subnet per availability zone'),
                  ('aws.alb.subnets',
                   ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
                   'an ALB needs subnets in at least two availability zones, and these are '
                   'all in eu-west-1a; add a subnet in another zone')],
 'alb-no-subnets': [('aws.alb.subnets',
                     [],
                     'an ALB needs subnets in at least two availability zones, and these are '
                     'all in none; add a subnet in another zone')],
 'alb-tls-passthrough-and-no-acm': [('listeners[db].protocol',
                                     'TLS',
                                     'an ALB cannot pass TLS through; use topology gateway '
                                     '(NLB) for PASSTHROUGH listeners'),
                                    ('listeners',
                                     ['http', 'db'],
                                     'topology standalone on EKS serves clients through an '
                                     'ALB, which needs an HTTPS listener with an ACM '
                                     'certificate; add one (certificates with source acm)')],
 'alb-port-with-two-protocols': [('listeners[plain].protocol',
                                  'HTTP',
                                  'port 8443 is HTTPS in listeners[web]; an ALB listener has '
                                  'one protocol: use another port'),
                                 ('listeners[more].protocol',
                                  'HTTP',
                                  'port 8443 is HTTPS in listeners[web]; an ALB listener has '
                                  'one protocol: use another port')],
 'alb-tls13-listener-tls12-policy': [('aws.alb.sslPolicy',
                                      'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                      'listeners[https-acm] requires TLS 1.3 and this policy '
                                      'accepts TLS 1.2; use '
                                      'ELBSecurityPolicy-TLS13-1-3-2021-06')],
 'alb-mutual-and-ciphers-at-acm': [('listeners[https-acm].tls.mode',
                                    'MUTUAL',
                                    'certificate edge-acm is from ACM, so the ALB terminates '
                                    'TLS and cannot ask for client certificates; use a '
                                    'certificate the gateway presents (secret, certManager) '
                                    'for MUTUAL'),
                                   ('listeners[https-acm].tls.cipherSuites',
                                    ['ECDHE-RSA-AES128-GCM-SHA256'],
                                    'the ALB picks ciphers from its security policy; remove '
                                    'them and set aws.alb.sslPolicy')],
 'chained-alb-with-backends': [('aws.alb.backends',
                                ['web'],
                                'in topology chained the ALB sends everything to the Istio '
                                'gateway; backends apply to topology standalone only: remove '
                                'it')],
 'standalone-alb-protocol-version': [('aws.alb.protocolVersion',
                                      'HTTP1',
                                      'in topology standalone each backend has its own target '
                                      'group: set aws.alb.backends.<backend>.protocolVersion '
                                      '(EDGE-PR-ALB)')],
 'standalone-health-checks': [('aws.alb.backends.web.healthCheckMatcher',
                               '200',
                               'with protocolVersion GRPC a healthy target answers gRPC '
                               'codes, between 0 and 99 (such as 12, or 0,12) '
                               '(EDGE-HC-ALB-GRPC)'),
                              ('aws.alb.backends.web.healthCheckPath',
                               '/healthz',
                               "a GRPC target group's health check calls a gRPC method: "
                               '/package.Service/Method, such as /AWS.ALB/healthcheck '
                               '(EDGE-HC-ALB-GRPC)')],
 'standalone-http-health-with-grpc-codes': [('aws.alb.backends.web.healthCheckMatcher',
                                             '12',
                                             'with protocolVersion HTTP1 a healthy target '
                                             'answers HTTP codes, between 100 and 599 (such '
                                             'as 200-399) (EDGE-HC-ALB-GRPC)')],
 'standalone-grpc-health-right': [],
 'chained-http2-plain-http': [('listeners[http]',
                               'http :80 HTTP',
                               "forwards to the gateway's target group, whose protocolVersion "
                               'HTTP2 AWS accepts behind HTTPS listeners only (EDGE-PR-ALB); '
                               'let it redirect to HTTPS (serve its hosts on an HTTPS '
                               'listener, httpsRedirect not false), or set '
                               'aws.alb.protocolVersion: HTTP1'),
                              ('listeners[extra]',
                               'extra :80 HTTP',
                               "forwards to the gateway's target group, whose protocolVersion "
                               'HTTP2 AWS accepts behind HTTPS listeners only (EDGE-PR-ALB); '
                               'let it redirect to HTTPS (serve its hosts on an HTTPS '
                               'listener, httpsRedirect not false), or set '
                               'aws.alb.protocolVersion: HTTP1')],
 'chained-http2-redirected': [],
 'chained-grpc-upstream-protocol': [('routing.backends.off.trafficPolicy.connectionPool.http.useClientProtocol',  # noqa: E501
                                     False,
                                     'behind a GRPC target group every request is a gRPC '
                                     'call, which needs HTTP/2 from the gateway to the '
                                     'backend, and a gateway speaks HTTP/1.1 to a Service '
                                     'port that is not named or appProtocol-marked grpc/http2 '
                                     '(ingresslib cannot see the Service); set it to true '
                                     '(EDGE-PR-ALB-UPSTREAM)'),
                                    ('routing.backends.shadow.trafficPolicy.connectionPool.http.useClientProtocol',
                                     None,
                                     'behind a GRPC target group every request is a gRPC '
                                     'call, which needs HTTP/2 from the gateway to the '
                                     'backend, and a gateway speaks HTTP/1.1 to a Service '
                                     'port that is not named or appProtocol-marked grpc/http2 '
                                     '(ingresslib cannot see the Service); set it to true '
                                     '(EDGE-PR-ALB-UPSTREAM)'),
                                    ('routing.backends.web.trafficPolicy.connectionPool.http.useClientProtocol',
                                     None,
                                     'behind a GRPC target group every request is a gRPC '
                                     'call, which needs HTTP/2 from the gateway to the '
                                     'backend, and a gateway speaks HTTP/1.1 to a Service '
                                     'port that is not named or appProtocol-marked grpc/http2 '
                                     '(ingresslib cannot see the Service); set it to true '
                                     '(EDGE-PR-ALB-UPSTREAM)')],
 'chained-grpc-route-to-no-backend': [('routing.hosts[shop.example.com].routes[a].to[0].backend',
                                       'ghost',
                                       'names no entry of routing.backends (idle, off, ok, '
                                       'shadow, web)')],
 'validation-zone-outside': [('certificates.edge.dnsNames',
                              'shop.example.com',
                              'is outside validationZone example.org, where the DNS '
                              'validation record must go; use a zone that holds every name, '
                              'or an existing certificate (arn)')],
 'dns-zone-outside': [('listeners[http].hosts',
                       'shop.example.com',
                       'is outside aws.dns.zone example.org, so no alias record can point it '
                       'at the load balancer; use a zone that holds every host, or manage '
                       'this record elsewhere')],
 'netpol-nlb-subnets-without-cidr': [('gateway.networkPolicy.ingressFrom',
                                      ['203.0.113.0/24'],
                                      "admits only these clients, and the load balancer's own "
                                      'connections (its health checks on ports 15021) come '
                                      'from its subnets, which would be refused: every target '
                                      'unhealthy. Give each of aws.nlb.subnets its cidr so '
                                      'they are admitted, or remove ingressFrom '
                                      '(EDGE-HC-NETPOL)')],
 'netpol-nlb-subnets-with-cidr': [],
 'netpol-nlb-instance-targets': [],
 'netpol-off': [],
 'netpol-alb-subnets-without-cidr': [('gateway.networkPolicy.ingressFrom',
                                      ['203.0.113.0/24'],
                                      "admits only these clients, and the load balancer's own "
                                      'connections (its health checks on ports 80, 15021) '
                                      'come from its subnets, which would be refused: every '
                                      'target unhealthy. Give each of aws.alb.subnets its '
                                      'cidr so they are admitted, or remove ingressFrom '
                                      '(EDGE-HC-NETPOL)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_refuses_its_case_with_the_path_value_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]


def test_the_accepted_neighbours_are_accepted() -> None:
    """The values beside each refused one pass: the controller's own class, matching Elastic
    IPs, a TLS 1.3 policy for a TLS 1.3 listener, redirected HTTP in front of HTTP2, gRPC health
    checks in gRPC codes, subnets that give their ranges, instance targets."""
    accepted = [k for k, v in EXPECTED.items() if v == []]
    assert accepted == [
        "annotation-left-to-the-user", "load-balancer-class-lbc",
        "eips-match", "client-cidrs-instance-targets", "client-cidrs-with-proxy-protocol",
        "nlb-tls13-listener-tls13-policy", "standalone-grpc-health-right",
        "chained-http2-redirected", "netpol-nlb-subnets-with-cidr",
        "netpol-nlb-instance-targets", "netpol-off"]


def test_an_arn_of_another_region_than_the_stacks_is_refused() -> None:
    """EDGE-AWS-REGION, found by a fresh trial: an ACM certificate and a web ACL of
    us-east-1 in an eu-west-1 stack validated and failed at `pulumi up`. Checked where the
    stack's aws:region is known (load_config and validate pass it)."""
    from ingresslib.errors import ConfigError  # noqa: PLC0415
    from ingresslib.stack.model import config_from  # noqa: PLC0415

    data = alb_stack()
    data["aws"]["alb"]["webAclArn"] = ("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/"
                                       "edge/1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b")
    acm = {k: c for k, c in data["certificates"].items() if c.get("source") == "acm"}
    assert acm
    for cert in acm.values():
        cert["arn"] = cert["arn"].replace(cert["arn"].split(":")[3], "us-east-1")
    assert config_from(data, "eks", aws_region="us-east-1")
    assert config_from(data, "eks")
    with pytest.raises(ConfigError) as info:
        config_from(data, "eks", aws_region="eu-west-1")
    problems = info.value.problems
    assert [p.path for p in problems] == [*(f"certificates.{k}.arn" for k in acm),
                                          "aws.alb.webAclArn"]
    for problem in problems:
        assert problem.message == ("is in us-east-1, while the load balancer is in eu-west-1 "
                                   "(aws:region), which can use only its own region's; "
                                   "import or create it in eu-west-1 (EDGE-AWS-REGION)")
