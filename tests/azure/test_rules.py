"""ingresslib.azure.rules: each Azure edge rule refuses exactly its case, at the field path,
with the value and the whole message (what is wrong, why, and the fix), and accepts the value
beside it: the sections a topology uses, the public IP, the load balancer's subnet, address and
probe window, the annotations ingresslib writes, the ports that keep a load-balancing rule, the
Istio add-on's limits, Application Gateway and Key Vault."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import HOST, HTTP, HTTPS, KEY_VAULT_CERT, aks_stack, azure
from tests.shared import refusals

SB = "service.beta.kubernetes.io/"
SECRET = {"source": "secret", "secretName": "shop-tls", "dnsNames": [HOST]}
ADDON = {"revision": "asm-1-26"}


def _az(topology: str = "gateway", **changes: Any) -> dict[str, Any]:
    """aks_stack with azure.<key> set (`loadBalancer__subnet` for azure.loadBalancer.subnet)."""
    data = aks_stack(topology)
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            data["azure"].setdefault(section, {})[name] = copy.deepcopy(value)
        else:
            data["azure"][section] = copy.deepcopy(value)
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _chained(**changes: Any) -> dict[str, Any]:
    return _az("chained", **changes)


_NO_AZURE = aks_stack()
del _NO_AZURE["azure"]
_CHAINED_LB = azure("chained")["loadBalancer"]
_MANY_HOSTS = [f"h{i}.example.com" for i in range(50)]

CASES: dict[str, dict[str, Any]] = {
    "no-azure-section": _NO_AZURE,
    "public-ip-on-chained": _chained(publicIp={"sku": "Standard"}),
    "certificate-sync-without-synced-certificates": _chained(certificateSync={"replicas": 3}),
    "certificate-sync-with-synced-certificates": _az(certificateSync={"replicas": 3}),
    "public-ip-basic-and-zones-twice": _az(publicIp={"sku": "Basic", "zones": ["1", "1"]}),
    "public-ip-two-zones": _az(publicIp={"zones": ["1", "2"]}),
    "public-ip-one-zone": _az(publicIp={"zones": ["2"]}),
    "internal-gateway-without-subnet": _with(_az(), loadBalancer={"scheme": "internal"}),
    "chained-without-subnet-and-address": _chained(loadBalancer={}),
    "internet-facing-with-subnet-and-address": _az(loadBalancer=_CHAINED_LB),
    "probe-window-at-the-limit": _az(loadBalancer__probeIntervalSeconds=60,
                                     loadBalancer__probeThreshold=2),
    "probe-window-under-the-limit": _az(loadBalancer__probeIntervalSeconds=59,
                                        loadBalancer__probeThreshold=2),
    "drain-at-the-probe-window": _with(_az(), gateway={"drain": {
        "terminationDrainSeconds": 10, "terminationGracePeriodSeconds": 30}}),
    "drain-beyond-the-probe-window": _with(_az(), gateway={"drain": {
        "terminationDrainSeconds": 11, "terminationGracePeriodSeconds": 30}}),
    "addon-drain-is-the-add-ons": _az(istioAddon=ADDON, loadBalancer__probeIntervalSeconds=20,
                                      loadBalancer__probeThreshold=3),
    "listener-on-the-status-port": _with(_az(), listeners=[
        HTTP, HTTPS, {**HTTP, "name": "status", "port": 15021, "hosts": ["s.example.com"]}]),
    "chained-service-not-a-load-balancer": _with(_chained(), gateway={"service": {
        "type": "ClusterIP"}}),
    "chained-service-a-load-balancer": _with(_chained(), gateway={"service": {
        "type": "LoadBalancer"}}),
    "annotations-ingresslib-writes": _with(_az(), gateway={"service": {"annotations": {
        f"{SB}azure-load-balancer-tcp-idle-timeout": "4", f"{SB}azure-pip-name": "x",
        f"{SB}port_80_health-probe_interval": "10", "example.com/team": "edge"}}}),
    "addon-annotations": _with(_az(istioAddon=ADDON), gateway={"service": {"annotations": {
        "example.com/team": "edge", "external-dns.alpha.kubernetes.io/hostname": HOST,
        f"{SB}port_443_no_probe_rule": "false", f"{SB}port_8080_no_probe_rule": "true"}}}),
    "no-lb-rule-on-a-listener-port": _with(_az(), gateway={"service": {"annotations": {
        f"{SB}port_80_no_lb_rule": " True ", f"{SB}port_443_no_lb_rule": "false"}}}),
    "no-lb-rule-on-the-probed-port-in-chained": _with(_chained(), gateway={"service": {
        "annotations": {f"{SB}port_15021_no_lb_rule": "true"}}}),
    "addon-on-chained": _chained(istioAddon=ADDON),
    "addon-on-standalone": _az("standalone", istioAddon=ADDON),
    "addon-replicas-and-gateway-settings": _with(
        _az(istioAddon={**ADDON, "minReplicas": 6, "maxReplicas": 5}),
        gateway={"replicas": 3, "idleTimeout": "300s", "service": {
            "type": "LoadBalancer", "externalTrafficPolicy": "Local",
            "loadBalancerSourceRanges": ["10.0.0.0/8"], "httpTargetPort": 8080}},
        rateLimits={"local": [{"scope": "gateway", "maxTokens": 10, "tokensPerFill": 10,
                               "fillInterval": "1s"}]}),
    "addon-replicas-equal": _az(istioAddon={**ADDON, "minReplicas": 5, "maxReplicas": 5}),
    "appgw-zones-capacity-internal": _with(
        _chained(applicationGateway__zones=["1", "2"], applicationGateway__minCapacity=11,
                 applicationGateway__maxCapacity=10),
        loadBalancer={"scheme": "internal"}),
    "appgw-capacity-equal": _chained(applicationGateway__minCapacity=10,
                                     applicationGateway__maxCapacity=10),
    "appgw-zones-twice": _chained(applicationGateway__zones=["1", "1"]),
    "appgw-in-the-load-balancers-subnet": _chained(loadBalancer__subnet="AppGW"),
    "chained-without-a-key-vault-listener": _with(
        _chained(), listeners=[HTTP, {**HTTPS, "tls": {"certificate": "own"}}],
        certificates={"own": SECRET}),
    "appgw-listeners-it-cannot-serve": _with(_chained(), listeners=[
        {"name": "db", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
        {**HTTP, "port": 8080}, {**HTTPS, "port": 8443, "tls": {
            "certificate": "edge", "mode": "MUTUAL",
            "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}},
        {**HTTPS, "name": "other", "hosts": ["other.example.com"],
         "tls": {"certificate": "edge", "minProtocolVersion": "TLSV1_3"}}],
        certificates={"edge": {**KEY_VAULT_CERT, "dnsNames": [HOST, "other.example.com"]}}),
    "appgw-too-many-listeners": _with(_chained(), listeners=[
        {**HTTP, "hosts": [*_MANY_HOSTS, "x.example.com"]}, {**HTTPS, "hosts": _MANY_HOSTS}],
        certificates={"edge": {**KEY_VAULT_CERT, "dnsNames": _MANY_HOSTS}}),
    "appgw-as-many-listeners-as-it-takes": _with(_chained(), listeners=[
        {**HTTP, "hosts": _MANY_HOSTS}, {**HTTPS, "hosts": _MANY_HOSTS}],
        certificates={"edge": {**KEY_VAULT_CERT, "dnsNames": _MANY_HOSTS}}),
    "chained-appgw-backends": _chained(applicationGateway__backends={
        "web": {"healthProbePath": "/healthz"}, "api": {"healthProbePath": "/healthz"}}),
    "key-vault-in-another-group": _with(_az(keyVault={"name": "kv-edge"}), certificates={
        "edge": {**KEY_VAULT_CERT, "resourceGroup": "elsewhere"}}),
    "key-vault-in-its-group": _az(keyVault={"name": "kv-edge"}),
    "key-vault-nobody-uses": _az(keyVault={"name": "kv-other"}),
    "import-pfx-into-the-gateway": _with(_az(), certificates={"edge": {
        **KEY_VAULT_CERT, "importFrom": {"secretConfig": "shopPfx", "format": "pfx"}}}),
    "import-pfx-into-the-gateway-after-a-plain-one": _with(_az(), listeners=[
        HTTP, HTTPS, {**HTTPS, "name": "other", "hosts": ["other.example.com"],
                      "tls": {"certificate": "other"}}], certificates={
        "edge": KEY_VAULT_CERT,
        "other": {**KEY_VAULT_CERT, "dnsNames": ["other.example.com"], "certificate": "other",
                  "importFrom": {"secretConfig": "otherPfx", "format": "pfx"}}}),
    "import-pem-into-the-gateway": _with(_az(), certificates={"edge": {
        **KEY_VAULT_CERT, "importFrom": {"secretConfig": "shopPem", "format": "pem"}}}),
    "import-pem-into-application-gateway": _with(_chained(), certificates={"edge": {
        **KEY_VAULT_CERT, "importFrom": {"secretConfig": "shopPem", "format": "pem"}}}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'no-azure-section': [('azure',
                       None,
                       "an aks stack creates Azure resources (the load balancer's public IP, "
                       'Application Gateway, Key Vault access): set azure with location, '
                       'resourceGroup and cluster {name, resourceGroup}')],
 'public-ip-on-chained': [('azure.publicIp',
                           'set',
                           'only topology gateway with an internet-facing load balancer uses '
                           'a public IP ingresslib creates; remove it')],
 'certificate-sync-without-synced-certificates': [('azure.certificateSync',
                                                   'set',
                                                   'no listener terminates TLS in the Istio '
                                                   'gateway with a Key Vault certificate, so '
                                                   'nothing is synced; remove it')],
 'certificate-sync-with-synced-certificates': [],
 'public-ip-basic-and-zones-twice': [('azure.publicIp.sku',
                                      'Basic',
                                      'AKS load balancers are Standard SKU, and a Standard '
                                      'load balancer takes only Standard public IPs; use '
                                      'Standard'),
                                     ('azure.publicIp.zones',
                                      ['1', '1'],
                                      'lists a zone twice')],
 'public-ip-two-zones': [('azure.publicIp.zones',
                          ['1', '2'],
                          'is neither zonal (one zone) nor zone-redundant (all of 1, 2 and '
                          '3); list 1, 2 and 3 to survive a zone failure')],
 'public-ip-one-zone': [],
 'internal-gateway-without-subnet': [('azure.loadBalancer.subnet',
                                      None,
                                      'loadBalancer.scheme is internal, which takes its '
                                      "address from a subnet of the cluster's virtual "
                                      'network: name that subnet')],
 'chained-without-subnet-and-address': [('azure.loadBalancer.subnet',
                                         None,
                                         'Application Gateway reaches the gateway through an '
                                         'internal load balancer, which takes its address '
                                         "from a subnet of the cluster's virtual network: "
                                         'name that subnet'),
                                        ('azure.loadBalancer.privateIp',
                                         None,
                                         "Application Gateway's backend pool points at the "
                                         "internal load balancer's address, so it must be "
                                         'static: set a free address of '
                                         'azure.loadBalancer.subnet')],
 'internet-facing-with-subnet-and-address': [('azure.loadBalancer.subnet',
                                              'ingress',
                                              'only an internal load balancer takes a subnet '
                                              'and private address; set loadBalancer.scheme '
                                              'internal or remove it'),
                                             ('azure.loadBalancer.privateIp',
                                              '10.240.4.10',
                                              'only an internal load balancer takes a subnet '
                                              'and private address; set loadBalancer.scheme '
                                              'internal or remove it')],
 'probe-window-at-the-limit': [('azure.loadBalancer.probeThreshold',
                                2,
                                'probeIntervalSeconds x probeThreshold must stay under 120 s '
                                '(Azure refuses longer probes)')],
 'probe-window-under-the-limit': [],
 'drain-at-the-probe-window': [('gateway.drain.terminationDrainSeconds',
                                10,
                                "must outlast the load balancer's probe window "
                                '(probeIntervalSeconds x probeThreshold = 10 s), or it still '
                                'sends new connections to a closed Envoy; use at least 15'),
                               ('gateway.drain.terminationDrainSeconds',
                                10,
                                'must outlast loadBalancer.deregistrationDelaySeconds (30), '
                                'or the load balancer still sends to a closed Envoy; use at '
                                'least 35 (EDGE-DR-AZURE-LB)')],
 'drain-beyond-the-probe-window': [('gateway.drain.terminationDrainSeconds',
                                    11,
                                    'must outlast loadBalancer.deregistrationDelaySeconds '
                                    '(30), or the load balancer still sends to a closed '
                                    'Envoy; use at least 35 (EDGE-DR-AZURE-LB)')],
 'addon-drain-is-the-add-ons': [],
 'listener-on-the-status-port': [('listeners[status].port',
                                  15021,
                                  'the gateway Service exposes 80 (http) and 443 (https); use '
                                  'one of them'),
                                 ('azure.loadBalancer',
                                  'true',
                                  "listener status's clients connect to port 15021, which "
                                  'would have no load-balancing rule: their connections go '
                                  'nowhere; the plan annotates the Service with '
                                  'service.beta.kubernetes.io/port_15021_no_lb_rule '
                                  '(EDGE-HC-LBRULE)')],
 'chained-service-not-a-load-balancer': [('gateway.service.type',
                                          'ClusterIP',
                                          'Application Gateway reaches the gateway through an '
                                          'internal load balancer on AKS; use LoadBalancer')],
 'chained-service-a-load-balancer': [],
 'annotations-ingresslib-writes': [('gateway.service.annotations.service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout',  # noqa: E501
                                    '4',
                                    'ingresslib writes it from '
                                    'azure.loadBalancer.idleTimeoutMinutes; set that and '
                                    'remove the annotation (EDGE-MSG-KEY)'),
                                   ('gateway.service.annotations.service.beta.kubernetes.io/azure-pip-name',
                                    'x',
                                    'ingresslib writes it from azure.publicIp.name; set that '
                                    'and remove the annotation (EDGE-MSG-KEY)'),
                                   ('gateway.service.annotations.service.beta.kubernetes.io/port_80_health-probe_interval',
                                    '10',
                                    'ingresslib writes it from the edge plan (each reached '
                                    "port is probed on Envoy's readiness, EDGE-HC-AZURE, "
                                    'EDGE-HC-LBRULE; timing from '
                                    'azure.loadBalancer.probeIntervalSeconds and '
                                    'azure.loadBalancer.probeThreshold); set that and remove '
                                    'the annotation (EDGE-MSG-KEY)')],
 'addon-annotations': [('gateway.service.annotations.example.com/team',
                        'edge',
                        'the AKS Istio add-on keeps only its allowed annotations on its '
                        'gateway Service (AKS docs: ingress gateway service customizations): '
                        'remove it'),
                       ('gateway.service.annotations.service.beta.kubernetes.io/port_8080_no_probe_rule',
                        'true',
                        'the AKS Istio add-on keeps only its allowed annotations on its '
                        'gateway Service (AKS docs: ingress gateway service customizations): '
                        'remove it')],
 'no-lb-rule-on-a-listener-port': [('gateway.service.annotations.service.beta.kubernetes.io/port_80_no_lb_rule',  # noqa: E501
                                    'True',
                                    "listener http's clients connect to port 80, which would "
                                    'have no load-balancing rule: their connections go '
                                    'nowhere; remove it (EDGE-HC-LBRULE)')],
 'no-lb-rule-on-the-probed-port-in-chained': [('gateway.service.annotations.service.beta.kubernetes.io/port_15021_no_lb_rule',  # noqa: E501
                                               'true',
                                               "Application Gateway's health probe goes to "
                                               '<internal LB IP>:15021, which would have no '
                                               'load-balancing rule (nor probe): every '
                                               'backend unhealthy, every request a 502; '
                                               'remove it (EDGE-HC-LBRULE)')],
 'addon-on-chained': [('azure.istioAddon',
                       'set',
                       "the add-on's gateway serves topology gateway only: in chained the "
                       'gateway must trust one proxy hop (numTrustedProxies), which '
                       'ingresslib sets on its own gateway pods and cannot set on the '
                       "add-on's; remove it")],
 'addon-on-standalone': [('azure.istioAddon',
                          'set',
                          "the add-on's gateway serves topology gateway only: in standalone "
                          'there is no gateway; remove it')],
 'addon-replicas-and-gateway-settings': [('gateway.replicas',
                                          3,
                                          'has no effect while autoscaling is on: the HPA '
                                          'owns the replica count (autoscaling.minReplicas '
                                          'and maxReplicas); remove replicas, or set '
                                          'autoscaling.enabled: false'),
                                         ('azure.istioAddon.minReplicas',
                                          6,
                                          'must be <= maxReplicas (5)'),
                                         ('gateway.idleTimeout',
                                          'set',
                                          'the AKS Istio add-on deploys, scales and drains '
                                          'its own gateway; only gateway.service '
                                          '(annotations, loadBalancerSourceRanges, '
                                          'externalTrafficPolicy) applies to it: remove it'),
                                         ('gateway.replicas',
                                          'set',
                                          'the AKS Istio add-on deploys, scales and drains '
                                          'its own gateway; only gateway.service '
                                          '(annotations, loadBalancerSourceRanges, '
                                          'externalTrafficPolicy) applies to it: remove it'),
                                         ('gateway.service.httpTargetPort',
                                          'set',
                                          'the add-on owns its gateway Service; ingresslib '
                                          'only patches its annotations and '
                                          'externalTrafficPolicy: remove it'),
                                         ('gateway.service.type',
                                          'set',
                                          'the add-on owns its gateway Service; ingresslib '
                                          'only patches its annotations and '
                                          'externalTrafficPolicy: remove it'),
                                         ('rateLimits',
                                          'set',
                                          'rate limits are EnvoyFilters, which the AKS Istio '
                                          'add-on does not support; remove them or deploy '
                                          "ingresslib's gateway")],
 'addon-replicas-equal': [],
 'appgw-zones-capacity-internal': [('azure.applicationGateway.minCapacity',
                                    11,
                                    'must be <= maxCapacity (10)'),
                                   ('loadBalancer.scheme',
                                    'internal',
                                    'an Application Gateway WAF_v2 needs a public frontend; '
                                    'keep internet-facing and restrict clients with WAF '
                                    'custom rules, or use topology gateway with an internal '
                                    'load balancer')],
 'appgw-capacity-equal': [],
 'appgw-zones-twice': [('azure.applicationGateway.zones', ['1', '1'], 'lists a zone twice')],
 'appgw-in-the-load-balancers-subnet': [('azure.applicationGateway.subnetId',
                                         '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw',
                                         'Application Gateway needs a subnet of its own; use '
                                         'another subnet than azure.loadBalancer.subnet')],
 'chained-without-a-key-vault-listener': [('listeners',
                                           ['http', 'https'],
                                           'in topology chained Application Gateway '
                                           'terminates TLS: add an HTTPS listener whose '
                                           'certificate has source keyVault'),
                                          ('listeners[https].tls.certificate',
                                           'secret',
                                           'in topology chained Application Gateway '
                                           'terminates TLS and reads certificates from '
                                           'keyVault, not from the cluster; use a keyVault '
                                           'source')],
 'appgw-listeners-it-cannot-serve': [('listeners[http].port',
                                      8080,
                                      'the gateway Service exposes 80 (http) and 443 (https); '
                                      'use one of them'),
                                     ('listeners[https].port',
                                      8443,
                                      'the gateway Service exposes 80 (http) and 443 (https); '
                                      'use one of them'),
                                     ('listeners[db].protocol',
                                      'TLS',
                                      'Application Gateway terminates TLS and cannot pass it '
                                      'through; use HTTPS'),
                                     ('listeners[http].port',
                                      8080,
                                      'Application Gateway serves HTTP on port 80 here; use '
                                      '80'),
                                     ('listeners[https].port',
                                      8443,
                                      'Application Gateway serves HTTPS on port 443 here; use '
                                      '443'),
                                     ('listeners[https].tls.mode',
                                      'MUTUAL',
                                      "ingresslib does not configure Application Gateway's "
                                      'client certificate checks; use SIMPLE'),
                                     ('listeners[https].tls.cipherSuites',
                                      ['ECDHE-RSA-AES128-GCM-SHA256'],
                                      'Application Gateway takes one TLS policy for all '
                                      'listeners, chosen from minProtocolVersion; remove '
                                      'them'),
                                     ('listeners',
                                      ['TLSV1_2', 'TLSV1_3'],
                                      'Application Gateway applies one TLS policy to every '
                                      'listener: give all HTTPS listeners the same '
                                      'minProtocolVersion')],
 'appgw-too-many-listeners': [('listeners',
                               101,
                               'make 101 Application Gateway listeners (one per host and '
                               'protocol); it takes at most 100: use wildcard hosts')],
 'appgw-as-many-listeners-as-it-takes': [],
 'chained-appgw-backends': [('azure.applicationGateway.backends',
                             ['api', 'web'],
                             'in topology chained Application Gateway sends to the Istio '
                             'gateway only; remove them')],
 'key-vault-in-another-group': [('certificates.edge.resourceGroup',
                                 'elsewhere',
                                 'vault kv-edge is created by azure.keyVault in '
                                 'azure.resourceGroup (edge); use that group')],
 'key-vault-in-its-group': [],
 'key-vault-nobody-uses': [('azure.keyVault',
                            'kv-other',
                            'no certificate used by a listener names this vault; point a '
                            'keyVault certificate at it or remove it')],
 'import-pfx-into-the-gateway': [('certificates.edge.importFrom.format',
                                  'pfx',
                                  'the Istio gateway gets it through the Secrets Store CSI '
                                  'driver, which splits a PEM key and chain into a TLS Secret '
                                  'but converts PFX only for Key Vault certificate objects; '
                                  'use pem')],
 'import-pfx-into-the-gateway-after-a-plain-one': [('certificates.other.importFrom.format',
                                                    'pfx',
                                                    'the Istio gateway gets it through the '
                                                    'Secrets Store CSI driver, which splits a '
                                                    'PEM key and chain into a TLS Secret but '
                                                    'converts PFX only for Key Vault '
                                                    'certificate objects; use pem')],
 'import-pem-into-the-gateway': [],
 'import-pem-into-application-gateway': [('certificates.edge.importFrom.format',
                                          'pem',
                                          'Application Gateway reads only base64 PFX from a '
                                          'Key Vault secret; use pfx')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_refuses_its_case_with_the_path_value_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
