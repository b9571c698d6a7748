"""The manifest validator must accept what the API server accepts and reject what it rejects.

Every stack test relies on it, so a validator that silently passes everything would hide bugs.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

import tests.harness.shared
from tests.harness.shared import require_shared
from tests.harness.validate import K8S_VERSIONS, ManifestValidator

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: web
        image: registry.example.com/web:1.2.3
        ports: [{name: http, containerPort: 8080}]
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 256Mi}
        readinessProbe: {httpGet: {path: /healthz, port: http}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsUser: 10001
          capabilities: {drop: [ALL]}
"""
SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: myapp, namespace: default}
spec:
  selector: {app: myapp}
  ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
"""
HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: istio-ingressgateway}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
"""
PDB = """
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: gateway-pdb, namespace: istio-system}
spec:
  minAvailable: 1
  selector: {matchLabels: {istio: ingressgateway}}
"""
GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: myapp-gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [myapp.example.com]
"""
VIRTUAL_SERVICE = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: myapp, namespace: default}
spec:
  hosts: [myapp.example.com]
  gateways: [myapp-gateway]
  http:
  - match: [{uri: {prefix: /}}]
    rewrite: {uri: /}
    timeout: 5s
    route: [{destination: {host: myapp, port: {number: 8080}}}]
  - route:
    - {destination: {host: myapp, subset: v1}, weight: 80}
    - {destination: {host: myapp, subset: v2}, weight: 20}
"""
DESTINATION_RULE = """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: myapp, namespace: default}
spec:
  host: myapp
  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
"""
ENVOY_FILTER = """
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: rate-limit, namespace: istio-system}
spec:
  workloadSelector: {labels: {istio: ingressgateway}}
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: GATEWAY
      listener:
        filterChain:
          filter:
            name: envoy.filters.network.http_connection_manager
            subFilter: {name: envoy.filters.http.router}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.ratelimit
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit
          domain: istio-ingress
          failure_mode_deny: true
"""
PEER_AUTHENTICATION = """
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
"""
CERTIFICATE = """
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: myapp-tls, namespace: istio-system}
spec:
  secretName: myapp-tls
  dnsNames: [myapp.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}
"""
SERVICE_ENTRY = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: local-uds, namespace: default}
spec:
  hosts: [uds.local]
  resolution: STATIC
  ports: [{number: 80, name: http, protocol: HTTP}]
  endpoints: [{address: "unix:///var/run/app.sock"}]
"""
REQUEST_AUTHENTICATION = """
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules:
  - issuer: https://issuer.example.com
    jwksUri: https://issuer.example.com/.well-known/jwks.json
"""

VALID = {
    "deployment": DEPLOYMENT,
    "service": SERVICE,
    "hpa": HPA,
    "pdb": PDB,
    "gateway": GATEWAY,
    "virtualservice": VIRTUAL_SERVICE,
    "destinationrule": DESTINATION_RULE,
    "envoyfilter": ENVOY_FILTER,
    "peerauthentication": PEER_AUTHENTICATION,
    "certificate": CERTIFICATE,
    "serviceentry": SERVICE_ENTRY,
    "requestauthentication": REQUEST_AUTHENTICATION,
}


def load(text: str) -> dict[str, Any]:
    """A fresh object per call, so tests can mutate it freely."""
    obj: dict[str, Any] = yaml.safe_load(text)
    return obj


@pytest.fixture(scope="module")
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture(scope="module")
def validator(shared_dir: Path) -> ManifestValidator:
    return ManifestValidator(shared_dir)


def only_error(validator: ManifestValidator, obj: dict[str, Any]) -> str:
    """The single error expected, so an unrelated extra error also fails the test."""
    errors = validator.errors(obj)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("name", list(VALID))
def test_valid_objects_pass(validator: ManifestValidator, name: str) -> None:
    assert validator.errors(load(VALID[name])) == []


def test_assert_valid_accepts_all_valid_objects(validator: ManifestValidator) -> None:
    validator.assert_valid(load(text) for text in VALID.values())


def test_unknown_container_field_is_rejected_in_strict_mode(validator: ManifestValidator) -> None:
    obj = load(DEPLOYMENT)
    obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    error = only_error(validator, obj)
    assert error.startswith("$.spec.template.spec.containers[0]: ")
    assert "'imagePullPolicyy' was unexpected" in error


def test_failure_is_reported_for_every_version(validator: ManifestValidator) -> None:
    obj = load(DEPLOYMENT)
    obj["spec"]["replicas"] = "two"
    error = only_error(validator, obj)
    assert error.startswith("$.spec.replicas: 'two' is not of type 'integer'")
    assert error.endswith(f"[Kubernetes {', '.join(K8S_VERSIONS)}]")
    assert "1.29.0" in error
    assert "1.33.0" in error


def test_wrong_type_in_service_port(validator: ManifestValidator) -> None:
    obj = load(SERVICE)
    obj["spec"]["ports"][0]["port"] = "http"
    error = only_error(validator, obj)
    assert error.startswith("$.spec.ports[0].port: 'http' is not of type 'integer'")


def test_all_errors_are_reported_not_just_the_first(validator: ManifestValidator) -> None:
    obj = load(SERVICE)
    obj["spec"]["ports"][0]["port"] = "http"
    obj["spec"]["sessionAffinityy"] = "None"
    errors = validator.errors(obj)
    assert len(errors) == 2, errors
    assert any(e.startswith("$.spec.ports[0].port: ") for e in errors)
    assert any("'sessionAffinityy' was unexpected" in e for e in errors)


BAD_BUILTINS = {
    "unknown-field": (DEPLOYMENT, ("spec", "template", "spec", "hostNetworkk"), True),
    "wrong-type": (SERVICE, ("spec", "ports", 0, "port"), "http"),
    "bad-enum-like-type": (PDB, ("spec", "minAvailable"), {"x": 1}),
}


@pytest.mark.parametrize("case", list(BAD_BUILTINS))
@pytest.mark.parametrize("version", ["1.29.0", "1.33.0"])
def test_semantics_match_kubernetes_validate(shared_dir: Path, case: str, version: str) -> None:
    """Caching and iter_errors must not change what kubernetes_validate strict decides."""
    text, path, value = BAD_BUILTINS[case]
    obj = load(text)
    target: Any = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError) as caught:
        kubernetes_validate.validate(obj, version, strict=True)
    errors = ManifestValidator(shared_dir, [version]).errors(obj)
    assert errors
    assert any(caught.value.message in e for e in errors), (caught.value.message, errors)
    for text in (DEPLOYMENT, SERVICE, PDB, HPA):
        kubernetes_validate.validate(load(text), version, strict=True)
        assert ManifestValidator(shared_dir, [version]).errors(load(text)) == []


def test_missing_builtin_schema_is_an_error_per_version(validator: ManifestValidator) -> None:
    """flowcontrol v1beta3 exists up to 1.31 only: later versions must fail, not warn."""
    obj = {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
        "kind": "PriorityLevelConfiguration",
        "metadata": {"name": "p"},
        "spec": {"type": "Exempt"},
    }
    errors = validator.errors(obj)
    assert len(errors) == 2, errors
    assert all("SchemaNotFoundError" in e for e in errors)
    assert "version 1.32" in errors[0]
    assert "version 1.33" in errors[1]


def test_kind_without_schema_is_an_error(validator: ManifestValidator) -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert "no schema for example.com/v1 Widget" in only_error(validator, obj)


def test_istio_group_with_builtin_kind_name_is_not_treated_as_builtin(
    validator: ManifestValidator,
) -> None:
    obj = {"apiVersion": "networking.istio.io/v1", "kind": "Ingress", "metadata": {"name": "i"}}
    assert "no schema for networking.istio.io/v1 Ingress" in only_error(validator, obj)


def test_missing_metadata_name(validator: ManifestValidator) -> None:
    obj = load(SERVICE)
    del obj["metadata"]["name"]
    assert only_error(validator, obj).startswith("$.metadata.name: required")


def test_missing_api_version_and_kind(validator: ManifestValidator) -> None:
    errors = validator.errors({"metadata": {"name": "x"}})
    assert errors == [
        "$.apiVersion: required, a non-empty string",
        "$.kind: required, a non-empty string",
    ]


def test_unknown_field_in_virtualservice_spec(validator: ManifestValidator) -> None:
    obj = load(VIRTUAL_SERVICE)
    obj["spec"]["host"] = "myapp"
    error = only_error(validator, obj)
    assert error.startswith("$.spec: ")
    assert "'host' was unexpected" in error


def test_custom_resource_top_level_and_metadata_are_strict(validator: ManifestValidator) -> None:
    obj = load(GATEWAY)
    obj["specs"] = {}
    obj["metadata"]["label"] = {"a": "b"}
    errors = validator.errors(obj)
    assert len(errors) == 2, errors
    assert any(e.startswith("$: ") and "'specs' was unexpected" in e for e in errors)
    assert any(e.startswith("$.metadata: ") and "'label' was unexpected" in e for e in errors)


def test_virtualservice_timeout_below_1ms_fails_cel(validator: ManifestValidator) -> None:
    obj = load(VIRTUAL_SERVICE)
    obj["spec"]["http"][0]["timeout"] = "0.5ms"
    assert only_error(validator, obj) == (
        "$.spec.http[0].timeout: must be a valid duration greater than 1ms"
        " (CEL rule: duration(self) >= duration('1ms'))"
    )


@pytest.mark.parametrize(
    ("timeout", "ok"),
    [("1ms", True), ("1000000ns", True), ("999999ns", False), ("1h2m0.5s", True), ("0", False)],
)
def test_cel_duration_uses_go_semantics(
    validator: ManifestValidator, timeout: str, ok: bool
) -> None:
    """Nanosecond precision and Go's syntax ("0" is valid), unlike cel-python's own duration."""
    obj = load(VIRTUAL_SERVICE)
    obj["spec"]["http"][0]["timeout"] = timeout
    assert (validator.errors(obj) == []) is ok


def test_unparsable_duration_is_reported_not_ignored(validator: ManifestValidator) -> None:
    obj = load(VIRTUAL_SERVICE)
    obj["spec"]["http"][0]["timeout"] = "1d"
    error = only_error(validator, obj)
    assert error.startswith("$.spec.http[0].timeout: CEL rule ")
    assert "could not be evaluated" in error
    assert "unknown or missing unit 'd'" in error


def test_gateway_tls_with_credential_name_and_names_fails_cel(
    validator: ManifestValidator,
) -> None:
    obj = load(GATEWAY)
    obj["spec"]["servers"].append(
        {
            "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
            "hosts": ["myapp.example.com"],
            "tls": {"mode": "SIMPLE", "credentialName": "a", "credentialNames": ["b"]},
        }
    )
    errors = validator.errors(obj)
    # The datree JSON schema predates credentialNames, so it also flags the field as unknown.
    expected = (
        "$.spec.servers[1].tls: only one of credentialName or credentialNames can be set (CEL rule:"
        " (has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1)"
    )
    assert expected in errors


def test_cel_sees_integers_as_int(validator: ManifestValidator) -> None:
    """`0 < self && self <= 65535` on a YAML int: compared as int, so 65535 passes, 0 fails."""
    obj = load(SERVICE_ENTRY)
    obj["spec"]["ports"][0]["number"] = 65535
    assert validator.errors(obj) == []
    obj["spec"]["ports"][0]["number"] = 0
    assert only_error(validator, obj).startswith(
        "$.spec.ports[0].number: port must be between 1-65535"
    )


@pytest.mark.parametrize(
    ("address", "ok"),
    [("unix:///var/run/app.sock", True), ("unix://@abstract", True), ("unix://app.sock", False)],
)
def test_cel_substring_on_serviceentry_endpoint(
    validator: ManifestValidator, address: str, ok: bool
) -> None:
    obj = load(SERVICE_ENTRY)
    obj["spec"]["endpoints"][0]["address"] = address
    errors = validator.errors(obj)
    if ok:
        assert errors == []
    else:
        assert errors == [
            "$.spec.endpoints[0].address: UDS must be an absolute path or abstract socket"
            ' (CEL rule: self.startsWith("unix://") ? (self.substring(7, 8) == "/"'
            ' || self.substring(7, 8) == "@") : true)'
        ]


def test_cel_evaluation_error_is_reported(validator: ManifestValidator) -> None:
    """'unix://'.substring(7, 8) is out of range: an error the API server reports, so must we."""
    obj = load(SERVICE_ENTRY)
    obj["spec"]["endpoints"][0]["address"] = "unix://"
    errors = validator.errors(obj)
    assert any(
        e.startswith("$.spec.endpoints[0].address: CEL rule ") and "could not be evaluated" in e
        for e in errors
    ), errors


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("https://issuer.example.com/jwks", True),
        ("HTTP://issuer.example.com:8080/jwks", True),
        ("ftp://issuer.example.com/jwks", False),
    ],
)
def test_cel_url_get_scheme_on_jwks_uri(validator: ManifestValidator, uri: str, ok: bool) -> None:
    obj = load(REQUEST_AUTHENTICATION)
    obj["spec"]["jwtRules"][0]["jwksUri"] = uri
    errors = validator.errors(obj)
    if ok:
        assert errors == []
    else:
        assert errors == [
            "$.spec.jwtRules[0].jwksUri: url must have scheme http:// or https://"
            ' (CEL rule: url(self).getScheme() in ["http", "https"])'
        ]


def test_cel_url_rejects_a_relative_reference(validator: ManifestValidator) -> None:
    """Kubernetes' url() fails (an error, not false) where Go's ParseRequestURI fails."""
    obj = load(REQUEST_AUTHENTICATION)
    obj["spec"]["jwtRules"][0]["jwksUri"] = "issuer.example.com/jwks"
    error = only_error(validator, obj)
    assert "could not be evaluated" in error
    assert "invalid URI for request" in error


def test_assert_valid_lists_every_error_with_object_prefix(validator: ManifestValidator) -> None:
    bad_deployment = load(DEPLOYMENT)
    bad_deployment["spec"]["replicas"] = "two"
    bad_deployment["spec"]["paused"] = "yes"
    bad_vs = load(VIRTUAL_SERVICE)
    bad_vs["spec"]["http"][0]["timeout"] = "0.5ms"
    unnamed = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    with pytest.raises(AssertionError) as caught:
        validator.assert_valid([load(SERVICE), bad_deployment, bad_vs, unnamed])
    lines = str(caught.value).splitlines()
    assert lines[0] == "4 manifest problem(s):"
    assert lines[1].startswith("Deployment/default/web: $.spec.")
    assert lines[2].startswith("Deployment/default/web: $.spec.")
    assert lines[3].startswith("VirtualService/default/myapp: $.spec.http[0].timeout: ")
    assert lines[4] == (
        "ConfigMap/-/?: $.metadata.name: required (the API server rejects objects without)"
    )


def test_validating_hundreds_of_objects_is_fast(validator: ManifestValidator) -> None:
    """Guards the caches: uncached, 300 objects take tens of seconds."""
    objs = [load(text) for text in VALID.values()] * 25
    validator.assert_valid(objs[:12])  # warm-up
    start = time.perf_counter()
    validator.assert_valid(objs)
    assert time.perf_counter() - start < 10.0


def test_objects_are_not_mutated(validator: ManifestValidator) -> None:
    obj = load(SERVICE_ENTRY)
    before = copy.deepcopy(obj)
    validator.errors(obj)
    assert obj == before


def test_unsupported_kubernetes_version_is_rejected_up_front(shared_dir: Path) -> None:
    with pytest.raises(ValueError, match=r"no schemas for Kubernetes 1\.99\.0"):
        ManifestValidator(shared_dir, ["1.99.0"])


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_require_shared_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(tests.harness.shared, "SHARED_DIR", tmp_path / "absent")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"\.\./shared"):
        tests.harness.shared.require_shared()
