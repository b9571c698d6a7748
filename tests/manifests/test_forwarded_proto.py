"""manifests/forwarded_proto.py: X-Forwarded-Proto https where the load balancer ended TLS."""

from __future__ import annotations

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.forwarded_proto import forwarded_proto_filter, forwarded_proto_value

WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                     "labels": {"istio": "edge"}})
VALUE = {"request_headers_to_add": [{
    "header": {"key": "x-forwarded-proto", "value": "https"},
    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}]}


def _patch(port: int) -> dict[str, object]:
    return {"applyTo": "ROUTE_CONFIGURATION",
            "match": {"context": "GATEWAY", "routeConfiguration": {"portNumber": port}},
            "patch": {"operation": "MERGE", "value": VALUE}}


def test_value() -> None:
    assert forwarded_proto_value() == VALUE


def test_no_ports_no_filter() -> None:
    assert forwarded_proto_filter(WL, "shop", []) is None


def test_one_patch_per_port_sorted_once() -> None:
    assert forwarded_proto_filter(WL, "shop", [8443, 443, 8443]) == {
        "apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter",
        "metadata": {"name": "gw-forwarded-proto", "namespace": "edge", "labels": {
            "app.kubernetes.io/managed-by": "ingresslib", "app.kubernetes.io/part-of": "shop"}},
        "spec": {"workloadSelector": {"labels": {"istio": "edge"}},
                 "configPatches": [_patch(443), _patch(8443)]},
    }


def test_the_constant_value_is_not_checked_at_render(monkeypatch) -> None:
    """Envoy's API checks the value once, in tests/stack/test_contract.py; a render does not
    load it (the module docstring's promise)."""
    import ingresslib.envoy  # noqa: PLC0415

    def refuse(*_: object) -> None:
        raise AssertionError("the X-Forwarded-Proto patch was checked at render")

    monkeypatch.setattr(ingresslib.envoy, "validate_patch_value", refuse)
    assert forwarded_proto_filter(WL, "shop", [443]) is not None
