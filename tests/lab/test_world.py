"""The lab's world: backends, Services, Pods and EndpointSlices synthesized from the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingresslib.lab import stack, world
from ingresslib.lab.world import MESH_LABEL, Net

ROOT = Path(__file__).resolve().parents[2]
NET = Net("127.77.9")


@pytest.fixture(scope="module")
def eks_gateway(tmp_path_factory: pytest.TempPathFactory) -> world.World:
    st = stack.load(ROOT / "stacks/eks", "gateway", None, tmp_path_factory.mktemp("eks"))
    return world.build_world(st.config, stack.manifests(st.render_dir), NET)


@pytest.fixture(scope="module")
def echo_gateway_api(tmp_path_factory: pytest.TempPathFactory) -> world.World:
    st = stack.load(ROOT / "examples/echoserver-canary", "gateway-api", None,
                    tmp_path_factory.mktemp("echo"))
    return world.build_world(st.config, stack.manifests(st.render_dir), NET)


def _kinds(w: world.World, kind: str) -> dict[tuple[str, str], dict]:
    return {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in w.objects
            if o["kind"] == kind}


def test_one_pod_per_subset_with_selector_and_subset_labels(eks_gateway: world.World) -> None:
    pods = {p.pod: p for p in eks_gateway.pods}
    assert set(pods) == {"shop-stable-0", "shop-canary-0", "shop-api-0"}
    assert pods["shop-canary-0"].labels == {"app": "shop", "version": "canary",
                                            MESH_LABEL: "istio"}
    assert pods["shop-api-0"].port == 8080
    assert len({p.ip for p in eks_gateway.pods}) == 3
    assert all(p.ip.startswith("127.77.9.1") for p in eks_gateway.pods)


def test_mesh_namespaces_run_sidecars(eks_gateway: world.World) -> None:
    """security.namespaces [shop] with STRICT mTLS: every shop pod terminates mesh mTLS."""
    assert all(p.sidecar for p in eks_gateway.pods)
    spec = eks_gateway.serve_spec("/ca", "/ready")
    assert spec["backends"][0]["tls"]["clientCaFile"] == "/ca/root.pem"
    assert "--workload" in eks_gateway.ca_args()


def test_pods_are_running_and_ready_with_endpoint_slices(eks_gateway: world.World) -> None:
    pods = _kinds(eks_gateway, "Pod")
    shop = pods[("shop", "shop-stable-0")]
    assert shop["status"]["phase"] == "Running"
    assert {"type": "Ready", "status": "True"} in shop["status"]["conditions"]
    slices = _kinds(eks_gateway, "EndpointSlice")
    shop_slice = next(s for (ns, _), s in slices.items()
                      if s["metadata"]["labels"]["kubernetes.io/service-name"] == "shop")
    assert {e["targetRef"]["name"] for e in shop_slice["endpoints"]} == {
        "shop-stable-0", "shop-canary-0"}
    assert shop_slice["ports"][0]["port"] == 8080


def test_gateway_pod_from_the_rendered_deployment(eks_gateway: world.World) -> None:
    gw = _kinds(eks_gateway, "Pod")[("istio-ingress", "istio-ingressgateway-lab-0")]
    assert gw["metadata"]["labels"]["istio"] == "ingressgateway"
    assert "proxy.istio.io/config" in gw["metadata"]["annotations"]
    assert gw["spec"]["serviceAccountName"] == "istio-ingressgateway"
    assert gw["status"]["podIP"] == NET.gateway
    assert eks_gateway.gateway_spiffe == (
        "spiffe://cluster.local/ns/istio-ingress/sa/istio-ingressgateway")


def test_rendered_services_are_not_duplicated(echo_gateway_api: world.World) -> None:
    """gatewayApi renders the subset Services, and the example renders its own Service."""
    assert not _kinds(echo_gateway_api, "Service")
    names = {s["metadata"]["labels"]["kubernetes.io/service-name"]
             for s in _kinds(echo_gateway_api, "EndpointSlice").values()}
    assert {"echoserver-service", "echoserver-service-v1", "echoserver-service-v2"} <= names
    v1 = echo_gateway_api.service_endpoints()[("echo", "echoserver-service-v1")]
    assert v1 == [echo_gateway_api.pods_of("echoserver", "v1")[0].ip]


def test_acme_solver_as_cert_manager_creates_it(tmp_path: Path) -> None:
    st = stack.load(ROOT / "tests/lab/stacks/features", "gateway", None, tmp_path)
    w = world.build_world(st.config, stack.manifests(st.render_dir), NET)
    assert [a.host for a in w.acme] == ["app.example.com"]
    ingress = _kinds(w, "Ingress")[("istio-ingress", "cm-acme-http-solver-app-tls")]
    assert ingress["metadata"]["annotations"]["kubernetes.io/ingress.class"] == "istio"
    path = ingress["spec"]["rules"][0]["http"]["paths"][0]
    assert path["path"] == w.acme[0].path
    assert path["pathType"] == "ImplementationSpecific"
    assert w.serve_spec(None, "/r")["acme"]["tokens"] == {
        w.acme[0].token: w.acme[0].key_authorization}


def test_standalone_pods_serve_plain_on_their_permissive_ports(tmp_path: Path) -> None:
    """No gateway: the load balancer connects in plaintext; security.standalonePorts keeps
    those pods' ports PERMISSIVE, so their stand-ins serve plain (STRICT elsewhere)."""
    st = stack.load(ROOT / "stacks/eks", "standalone", None, tmp_path)
    data = st.config
    w = world.build_world(data, stack.manifests(st.render_dir), NET)
    assert {p.pod: p.sidecar for p in w.pods} == {
        "shop-0": False, "shop-v2-0": False, "shop-api-0": False}
    sec = data.security
    assert sec is not None
    one = sec.model_copy(update={"standalone_ports": sec.standalone_ports[:1]})
    w = world.build_world(data.model_copy(update={"security": one}),
                          stack.manifests(st.render_dir), NET)
    assert {p.pod: p.sidecar for p in w.pods} == {
        "shop-0": False, "shop-v2-0": True, "shop-api-0": True}
