"""Behaviour of the config models: defaults, key spellings, derived values and loading."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ingresslib import StackConfig, load_config, parse_config
from ingresslib.config import (
    Autoscaling,
    Disruption,
    GatewayWorkload,
    Listener,
    ListenerTls,
)
from ingresslib.config.listeners import host_covers
from ingresslib.config.quantity import quantity_value
from ingresslib.errors import ConfigError
from ingresslib.offline.runner import run_program
from tests.configs import HTTP, aks_stack, azure, eks_stack, https_listener

HTTPS = https_listener(certificate="edge-tls")
SECRET = {"source": "secret", "secretName": "shop-cert", "dnsNames": ["shop.example.com"]}
SELF_SIGNED = {"source": "selfSigned", "dnsNames": ["*.example.com"]}


def paths(error: ConfigError) -> list[str]:
    return [p.path for p in error.problems]


# ---------------------------------------------------------------- defaults


def test_workload_defaults() -> None:
    wl = parse_config(eks_stack()).workload
    assert wl is not None
    assert wl.autoscaling.enabled
    assert wl.autoscaling.min_replicas == 2
    assert wl.autoscaling.max_replicas == 10
    assert wl.autoscaling.target_cpu_utilization == 70
    assert wl.autoscaling.target_memory_utilization is None
    assert wl.resources.requests.cpu == "1000m"
    assert wl.resources.requests.memory == "1Gi"
    assert wl.resources.limits.cpu == "2000m"
    assert wl.resources.limits.memory == "2Gi"
    assert wl.disruption.enabled
    assert wl.disruption.max_unavailable == 1
    assert wl.disruption.min_available is None
    # EDGE-DR-NLB: the NLB keeps opening connections to a deregistering IP target for up to
    # 120 s; the drain outlasts that by 15 s, the grace period the drain by 15 s.
    assert wl.drain.termination_drain_seconds == 135
    assert wl.drain.termination_grace_period_seconds == 150
    assert wl.drain.termination_drain_seconds < wl.drain.termination_grace_period_seconds
    assert wl.scheduling.zone_spread.enabled
    assert wl.scheduling.node_spread.enabled
    assert wl.scheduling.zone_spread.when_unsatisfiable == "ScheduleAnyway"
    assert wl.max_surge == 1
    assert wl.labels == {"istio": "ingressgateway"}
    assert wl.min_running() == 2


def test_stack_defaults() -> None:
    cfg = parse_config(eks_stack())
    assert cfg.name == "ingress"
    assert cfg.topology == "gateway"
    assert cfg.gateway is None
    assert cfg.certificates == {}
    assert cfg.load_balancer.scheme == "internet-facing"
    assert cfg.load_balancer.deregistration_delay_seconds == 30
    assert cfg.observability.prometheus_scrape
    # the default drain outlasts the default deregistration delay
    wl = cfg.workload
    assert wl is not None
    assert wl.drain.termination_drain_seconds > cfg.load_balancer.deregistration_delay_seconds


def test_defaults_evict_one_pod_at_the_replica_floor() -> None:
    wl = GatewayWorkload()
    assert wl.disruption.evictable(wl.min_running()) == 1


# ---------------------------------------------------------------- key spellings


def test_camel_case_keys_load() -> None:
    cfg = parse_config(
        eks_stack(
            gateway={"autoscaling": {"minReplicas": 3, "maxReplicas": 6}, "maxSurge": "25%"},
            loadBalancer={"deregistrationDelaySeconds": 10},
        )
    )
    assert cfg.gateway is not None
    assert cfg.gateway.autoscaling.min_replicas == 3
    assert cfg.gateway.max_surge == "25%"
    assert cfg.load_balancer.deregistration_delay_seconds == 10


def test_snake_case_keys_load() -> None:
    cfg = parse_config(
        eks_stack(
            gateway={"autoscaling": {"min_replicas": 3, "max_replicas": 6}, "max_surge": "25%"},
            load_balancer={"deregistration_delay_seconds": 10},
        )
    )
    assert cfg.gateway is not None
    assert cfg.gateway.autoscaling.min_replicas == 3
    assert cfg.gateway.max_surge == "25%"
    assert cfg.load_balancer.deregistration_delay_seconds == 10


def test_camel_and_snake_case_give_the_same_config() -> None:
    camel = eks_stack(gateway={"network_policy": {"ingress_from": ["10.0.0.0/16"]}},
                   aws={"nlb": {"target_type": "instance"}})
    snake = eks_stack(gateway={"networkPolicy": {"ingressFrom": ["10.0.0.0/16"]}},
                   aws={"nlb": {"targetType": "instance"}})
    assert parse_config(camel) == parse_config(snake)


def test_models_dump_back_to_camel_case() -> None:
    dumped = parse_config(eks_stack()).model_dump(by_alias=True)
    assert "loadBalancer" in dumped
    assert dumped["loadBalancer"]["deregistrationDelaySeconds"] == 30


def test_unknown_key_is_refused_with_its_path() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(eks_stack(gateway={"autoscaling": {"minReplica": 3}}))
    assert paths(info.value) == ["gateway.autoscaling.minReplica"]
    assert "unknown key" in info.value.problems[0].message


def test_empty_config_needs_a_cloud() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({})
    assert paths(info.value) == ["cloud"]
    assert "required" in info.value.problems[0].message


def test_missing_config_needs_a_cloud() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(None)
    assert paths(info.value) == ["cloud"]


# ---------------------------------------------------------------- frozen


def test_models_are_frozen() -> None:
    cfg = parse_config(eks_stack(gateway={}))
    with pytest.raises(ValidationError):
        cfg.cloud = "aks"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cfg.gateway.autoscaling.min_replicas = 5  # type: ignore[union-attr,misc]
    with pytest.raises(ValidationError):
        cfg.listeners[0].port = 443  # type: ignore[misc]


def test_models_compare_by_value() -> None:
    assert parse_config(eks_stack()) == parse_config(eks_stack())
    assert Autoscaling() == Autoscaling(min_replicas=2)


# ---------------------------------------------------------------- derived values


@pytest.mark.parametrize(
    ("cloud", "topology", "explicit", "expected"),
    [
        ("eks", "gateway", None, "LoadBalancer"),
        ("aks", "gateway", None, "LoadBalancer"),
        ("eks", "chained", None, "ClusterIP"),
        # Application Gateway reaches the gateway through an internal load balancer.
        ("aks", "chained", None, "LoadBalancer"),
        ("eks", "chained", "NodePort", "NodePort"),
        ("eks", "chained", "LoadBalancer", "LoadBalancer"),
        ("aks", "gateway", "LoadBalancer", "LoadBalancer"),
    ],
)
def test_service_type(cloud: str, topology: str, explicit: str | None, expected: str) -> None:
    gateway = {"service": {"type": explicit}} if explicit else {}
    data = (aks_stack(topology, gateway=gateway) if cloud == "aks"
            else eks_stack(topology, gateway=gateway))
    gw = parse_config(data).edge.gateway
    assert gw is not None
    assert gw.service_type == expected


@pytest.mark.parametrize(("topology", "hops"), [("gateway", 0), ("chained", 1), ("standalone", 0)])
def test_trusted_proxies_only_in_chained(topology: str, hops: int) -> None:
    gw = parse_config(eks_stack(topology)).edge.gateway
    assert (gw.trusted_proxies if gw else 0) == hops


def test_standalone_has_no_workload() -> None:
    cfg = parse_config(aks_stack("standalone"))
    assert cfg.gateway is None
    assert cfg.workload is None


@pytest.mark.parametrize("topology", ["gateway", "chained"])
def test_workload_defaults_when_gateway_is_omitted(topology: str) -> None:
    cfg = parse_config(eks_stack(topology))
    assert cfg.gateway is None
    assert cfg.workload is not None
    # Only the drain is settled against the load balancer (EDGE-DR-*).
    assert cfg.workload.model_copy(update={"drain": GatewayWorkload().drain}) == GatewayWorkload()


def test_workload_is_the_given_gateway() -> None:  # drain defaults unchanged: no copy
    # Behind an Azure load balancer the drain needed is the delay (30 s): defaults suffice.
    cfg = parse_config(aks_stack("gateway", gateway={"namespace": "edge"}))
    assert cfg.workload is cfg.gateway
    assert cfg.workload is not None
    assert cfg.workload.namespace == "edge"


def test_standalone_listeners_may_use_any_port() -> None:
    listener = dict(HTTP, port=8080)
    cfg = parse_config(eks_stack("standalone", listeners=[listener]))
    assert cfg.listeners[0].port == 8080


def test_credential_name_per_certificate_source() -> None:
    cfg = parse_config(
        eks_stack(
            listeners=[
                HTTP,
                HTTPS,
                dict(HTTPS, name="dev", hosts=["dev.example.com"], tls={"certificate": "dev-tls"}),
            ],
            certificates={"edge-tls": SECRET, "dev-tls": SELF_SIGNED},
        )
    )
    # a secret source names the Secret Istio reads; a generated one is named after its key
    assert cfg.credential_name("edge-tls") == "shop-cert"
    assert cfg.credential_name("dev-tls") == "dev-tls"


def test_self_signed_certificate_defaults() -> None:
    cfg = parse_config(eks_stack(certificates={"dev-tls": SELF_SIGNED}))
    cert = cfg.certificates["dev-tls"]
    assert cert.source == "selfSigned"
    assert cert.validity_hours == 2160  # type: ignore[union-attr]
    assert cert.early_renewal_hours == 720  # type: ignore[union-attr]
    assert cert.key_algorithm == "ECDSA"  # type: ignore[union-attr]


# ---------------------------------------------------------------- host_covers


@pytest.mark.parametrize(
    ("pattern", "host", "covered"),
    [
        ("shop.example.com", "shop.example.com", True),
        ("shop.example.com", "api.example.com", False),
        ("*.example.com", "shop.example.com", True),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", "example.com", False),
        ("*.example.com", "shop.example.org", False),
        ("*.example.com", "shopexample.com", False),
        ("*.example.com", "*.example.com", True),
        ("*.example.com", "*.a.example.com", False),
        ("shop.example.com", "*.example.com", False),
        ("*", "*", True),
    ],
)
def test_host_covers(pattern: str, host: str, covered: bool) -> None:
    assert host_covers(pattern, host) is covered


def test_wildcard_certificate_covers_one_label_in_a_config() -> None:
    cfg = parse_config(
        eks_stack(
            listeners=[HTTP, dict(HTTPS, hosts=["shop.example.com", "api.example.com"])],
            certificates={"edge-tls": dict(SECRET, dnsNames=["*.example.com"])},
        )
    )
    assert cfg.listeners[1].hosts == ["shop.example.com", "api.example.com"]


# ---------------------------------------------------------------- disruption


@pytest.mark.parametrize(
    ("budget", "replicas", "evictable"),
    [
        ({"max_unavailable": 1}, 2, 1),
        ({"max_unavailable": 2}, 5, 2),
        ({"max_unavailable": 0}, 3, 0),
        ({"max_unavailable": "50%"}, 3, 2),  # 1.5 rounds up
        ({"max_unavailable": "10%"}, 2, 1),  # 0.2 rounds up
        ({"max_unavailable": "0%"}, 4, 0),
        ({"max_unavailable": "100%"}, 4, 4),
        ({"min_available": 2, "max_unavailable": None}, 3, 1),
        ({"min_available": 3, "max_unavailable": None}, 3, 0),
        ({"min_available": "50%", "max_unavailable": None}, 3, 1),  # needs 2 of 3
        ({"min_available": "50%", "max_unavailable": None}, 4, 2),
        ({"min_available": "100%", "max_unavailable": None}, 5, 0),
        ({"min_available": "0%", "max_unavailable": None}, 2, 2),
    ],
)
def test_disruption_evictable(budget: dict[str, Any], replicas: int, evictable: int) -> None:
    assert Disruption(**budget).evictable(replicas) == evictable


def test_disruption_can_be_disabled_without_a_budget() -> None:
    assert not Disruption(enabled=False, max_unavailable=None).enabled


def test_min_available_alone_is_accepted() -> None:
    cfg = parse_config(eks_stack(gateway={"disruption": {"minAvailable": 1}}))
    assert cfg.gateway is not None
    assert cfg.gateway.disruption.min_available == 1


# ---------------------------------------------------------------- quantities


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", Decimal(1)),
        ("2", Decimal(2)),
        ("500m", Decimal("0.5")),
        ("1000m", Decimal(1)),
        ("1.5", Decimal("1.5")),
        ("1k", Decimal(1000)),
        ("1M", Decimal(10**6)),
        ("1G", Decimal(10**9)),
        ("512Mi", Decimal(512 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("2Ti", Decimal(2 * 2**40)),
        ("0", Decimal(0)),
    ],
)
def test_quantity_value(text: str, value: Decimal) -> None:
    assert quantity_value(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1GB", "-1", "1.5cores", "m", "1 Gi", "1e3x"])
def test_quantity_value_refuses_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="Kubernetes quantity"):
        quantity_value(text)


def test_quantities_compare_across_units() -> None:
    assert quantity_value("1000m") == quantity_value("1")
    assert quantity_value("1024Mi") == quantity_value("1Gi")
    assert quantity_value("1G") < quantity_value("1Gi")


def test_yaml_ints_load_as_quantity_strings() -> None:
    # `cpu: 1` in YAML is an int; it loads as the quantity "1"
    resources = {"requests": {"cpu": 1, "memory": "1Gi"}, "limits": {"cpu": 2, "memory": "2Gi"}}
    cfg = parse_config(eks_stack(gateway={"resources": resources}))
    assert cfg.gateway is not None
    assert cfg.gateway.resources.requests.cpu == "1"
    assert cfg.gateway.resources.limits.cpu == "2"


def test_yaml_float_cpu_loads_as_quantity_string() -> None:
    resources = {"requests": {"cpu": 0.5, "memory": "1Gi"}, "limits": {"cpu": 2, "memory": "2Gi"}}
    cfg = parse_config(eks_stack(gateway={"resources": resources}))
    assert cfg.gateway is not None
    assert cfg.gateway.resources.requests.cpu == "0.5"


def test_request_equal_to_limit_is_accepted() -> None:
    resources = {
        "requests": {"cpu": 1, "memory": "1Gi"},
        "limits": {"cpu": "1000m", "memory": "1024Mi"},
    }
    assert parse_config(eks_stack(gateway={"resources": resources})).gateway is not None


def test_boolean_is_not_a_quantity() -> None:
    resources = {"requests": {"cpu": True, "memory": "1Gi"}, "limits": {"cpu": 2, "memory": "2Gi"}}
    with pytest.raises(ConfigError) as info:
        parse_config(eks_stack(gateway={"resources": resources}))
    assert paths(info.value) == ["gateway.resources.requests.cpu"]


# ---------------------------------------------------------------- Python construction


def test_direct_construction_with_cross_field_error_raises_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        StackConfig(
            cloud="eks",
            gateway=GatewayWorkload(autoscaling=Autoscaling(min_replicas=5, max_replicas=3)),
            listeners=[Listener(name="http", port=80, protocol="HTTP", hosts=["a.example.com"])],
        )
    assert not isinstance(info.value, ValidationError)
    assert paths(info.value) == ["gateway.autoscaling.minReplicas"]


def test_direct_construction_without_listeners_raises_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        StackConfig(cloud="aks", azure=azure())
    assert paths(info.value) == ["listeners"]


def test_direct_construction_of_a_valid_config() -> None:
    cfg = StackConfig(
        cloud="aks",
        topology="gateway",
        listeners=[
            Listener(
                name="https",
                port=443,
                protocol="HTTPS",
                hosts=["shop.example.com"],
                tls=ListenerTls(certificate="edge-tls"),
            )
        ],
        certificates={"edge-tls": SECRET},  # type: ignore[dict-item]
        azure=azure(),  # type: ignore[arg-type]
    )
    assert cfg.edge.gateway.service_type == "LoadBalancer"
    assert cfg.credential_name("edge-tls") == "shop-cert"


def test_parse_config_raises_config_error_not_validation_error() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(eks_stack(cloud="gke"), "mine")
    assert not isinstance(info.value, ValidationError)
    assert info.value.source == "mine"
    assert str(info.value).startswith("invalid mine: 1 problem(s)")


def test_field_and_cross_field_problems_keep_their_own_paths() -> None:
    data = eks_stack(
        gateway={
            "autoscaling": {"minReplicas": 4, "maxReplicas": 2},
            "drain": {"terminationDrainSeconds": 90, "terminationGracePeriodSeconds": 60},
        },
    )
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert set(paths(info.value)) == {
        "gateway.autoscaling.minReplicas",
        "gateway.drain.terminationDrainSeconds",
    }


def test_source_ranges_refused_on_implicit_cluster_ip() -> None:
    data = eks_stack(
        topology="chained", gateway={"service": {"loadBalancerSourceRanges": ["203.0.113.0/24"]}}
    )
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert paths(info.value) == ["gateway.service.loadBalancerSourceRanges"]


# ---------------------------------------------------------------- load_config under Pulumi


def _run_load(cloud: str | None, data: dict[str, Any]) -> StackConfig:
    loaded: list[StackConfig] = []
    run_program(
        lambda: loaded.append(load_config(cloud=cloud)),  # type: ignore[arg-type]
        project="p",
        config={"ingress:stack": json.dumps(data)},
    )
    return loaded[0]


def test_load_config_reads_pulumi_structured_config() -> None:
    cfg = _run_load("eks", eks_stack("chained"))
    assert cfg.cloud == "eks"
    assert cfg.topology == "chained"


def test_load_config_without_cloud_accepts_either() -> None:
    assert _run_load(None, aks_stack()).cloud == "aks"


def test_load_config_refuses_the_other_cloud() -> None:
    with pytest.raises(ConfigError) as info:
        _run_load("aks", eks_stack())
    assert paths(info.value) == ["cloud"]
    assert info.value.problems[0].value == "eks"
    assert "aks" in info.value.problems[0].message
    assert info.value.source == "ingress:stack"


def test_load_config_reports_problems_with_the_config_key_as_source() -> None:
    with pytest.raises(ConfigError) as info:
        _run_load("eks", eks_stack(gateway={"namespace": "Edge"}))
    assert paths(info.value) == ["gateway.namespace"]
    assert str(info.value).startswith("invalid ingress:stack")


def _model_classes() -> list[type]:
    import ingresslib.aws.config  # noqa: PLC0415 (every model class defined)
    import ingresslib.azure.agc.config  # noqa: PLC0415
    import ingresslib.azure.config  # noqa: F401, PLC0415
    from ingresslib.config.base import Model  # noqa: PLC0415

    found, todo = [], list(Model.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_sections_defaults_equal_the_section_built_empty() -> None:
    """`Model.defaults()` skips validation (no validator build for an unused section): it
    must give what `cls()` gives, for every model that can be built empty, validators that
    derive defaults included (Disruption's maxUnavailable)."""
    checked = 0
    for cls in _model_classes():
        try:
            empty = cls()
        except ConfigError:
            continue  # a section with required fields has no defaults to share
        made = cls.defaults()
        assert made == empty, cls.__name__
        assert made.model_fields_set == empty.model_fields_set, cls.__name__
        checked += 1
    assert checked > 40


def test_a_reference_to_nothing_lists_at_most_ten_known_names() -> None:
    """A stack of many backends: each dangling reference names the first ten and how many
    more, not all of them in every problem (a 1,000-host stack wrong at every route wrote
    2 MB of backend names)."""
    data = eks_stack(listeners=[HTTP], routing={
        "backends": {f"svc{i:02}": {"service": f"svc{i:02}", "namespace": "shop", "port": 80}
                     for i in range(12)},
        "hosts": [{"host": HTTP["hosts"][0], "routes": [{"name": "web",
                                                        "to": [{"backend": "missing"}]}]}]})
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    [problem] = e.value.problems
    assert problem.message == (
        "names no entry of routing.backends (svc00, svc01, svc02, svc03, svc04, svc05, svc06, "
        "svc07, svc08, svc09 and 2 more)")
