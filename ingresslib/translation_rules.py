"""Rules of the translation between the two routing APIs (`api: istio`, `api: gatewayApi`):
nothing of the classic objects is dropped on the way. `tests/test_api_translation.py` walks
every config field that reaches the classic render and checks that each reaches the Gateway
API render or is refused with its path (EDGE-API-DROP); the renderer keeps backend TLS where
Istio reads it (EDGE-API-TLS-DR, `ingresslib.manifests.gateway_api.istio`)."""

from __future__ import annotations

from ingresslib.edge import EdgeRule

TRANSLATION_RULES = {
    "EDGE-API-DROP": EdgeRule(
        "EDGE-API-DROP",
        "Every config field that reaches the classic objects (Istio Gateway, VirtualServices, "
        "DestinationRules) reaches the Gateway API render (Gateway, routes, BackendTLSPolicy, "
        "DestinationRules, route patches) or is refused with its config path; none is "
        "dropped in silence when `api` changes",
        "istio/istio#13578 (a backend's CA lost between gateway configurations); "
        "kubernetes-sigs/ingress2gateway#64 and #152 (annotations and settings dropped in "
        "translation with no warning)"),
    "EDGE-API-TLS-DR": EdgeRule(
        "EDGE-API-TLS-DR",
        "With Istio, a backend's TLS (mode, sni, credentialName) stays in its DestinationRule "
        "under both APIs and no BackendTLSPolicy targets its Services: Istio turns a "
        "BackendTLSPolicy into a DestinationRule of its own for the host and does not merge "
        "the two, and a BackendTLSPolicy cannot name the Secret credentialName gives; without "
        "Istio (route_objects alone) a credentialName is refused",
        "istio/istio#13578; istio/istio#60122 (BackendTLSPolicy and DestinationRule for one "
        "service are not merged); Istio DestinationRule ClientTLSSettings.credentialName; "
        "Gateway API BackendTLSPolicy validation.caCertificateRefs (ConfigMap)"),
}
