"""The gateway workload: replicas, scaling, disruption, resources, scheduling, drain, Service.

Defaults sit here, in one visible place, and are at least as strong as seed 001 recommends
(minReplicas 2, maxReplicas 10, CPU 70 %, requests 1 CPU / 1Gi, limits 2 CPU / 2Gi) and stronger
than Istio's own `gateway` chart where production needs it (PDB, zone and node spread).
"""


from collections.abc import Iterator
from typing import Any, Literal, Self

from pydantic import Field, model_validator
from pydantic.alias_generators import to_camel, to_snake

from ingresslib.config.base import (
    Annotations,
    Cidr,
    DnsLabel,
    DnsSubdomain,
    IntOrPercent,
    Labels,
    Model,
    applies_to,
)
from ingresslib.config.duration import Duration
from ingresslib.config.quantity import Quantity, quantity_value
from ingresslib.errors import Problem


class ResourceList(Model):
    """CPU and memory, as Kubernetes quantities."""

    cpu: Quantity
    """CPU as a Kubernetes quantity: cores (`2`) or millicores (`500m`)."""
    memory: Quantity
    """Memory as a Kubernetes quantity in bytes (`512Mi`, `1Gi`)."""


class Resources(Model):
    """Container resources of the gateway proxy (seed 001's values by default)."""

    requests: ResourceList = ResourceList(cpu="1000m", memory="1Gi")
    """What the scheduler reserves per pod."""
    limits: ResourceList = ResourceList(cpu="2000m", memory="2Gi")
    """The most a pod may use; each at least its request."""

    def problems(self, path: str) -> Iterator[Problem]:
        for res in ("cpu", "memory"):
            req, lim = getattr(self.requests, res), getattr(self.limits, res)
            if quantity_value(req) > quantity_value(lim):
                yield Problem(
                    f"{path}.requests.{res}",
                    req,
                    f"request exceeds the limit {lim}; lower the request or raise the limit",
                )


class MetricTarget(Model):
    """The HPA target of a metric: its type and the one value field that type takes."""

    type: Literal["Utilization", "Value", "AverageValue"]
    """`Utilization` (percent of requests), `Value` (the metric itself) or `AverageValue` (the
    metric per pod)."""
    average_utilization: int | None = Field(default=None, ge=1)
    """Target percent of the pods' requests, for type Utilization, which no metric of
    customMetrics takes (the HPA's CPU and memory targets are the utilization ones)."""
    value: Quantity | None = None
    """Target value as a quantity; for type Value only."""
    average_value: Quantity | None = None
    """Target value per pod as a quantity; for type AverageValue only."""

    @model_validator(mode="after")
    def _one_matching_value(self) -> Self:
        wanted = {
            "Utilization": "average_utilization",
            "Value": "value",
            "AverageValue": "average_value",
        }[self.type]
        given = [f for f in ("average_utilization", "value", "average_value") if getattr(self, f)]
        if given != [wanted]:
            raise ValueError(
                f"target type {self.type} takes exactly one of its value fields: "
                f"set {to_camel(wanted)} only"
            )
        return self


class CustomMetric(Model):
    """A Pods or External metric for the HPA (served by a metrics adapter such as KEDA)."""

    type: Literal["Pods", "External"]
    """`Pods` (a metric of the gateway pods) or `External` (one from outside the cluster, such as a
    queue length)."""
    name: str = Field(min_length=1)
    """The metric's name as the metrics adapter serves it."""
    selector: Labels | None = None
    """Labels that select the metric's series."""
    target: MetricTarget
    """The value the HPA keeps the metric at."""

    @model_validator(mode="after")
    def _no_utilization(self) -> Self:
        if self.target.type == "Utilization":
            raise ValueError(
                f"{self.type} metrics cannot target Utilization; use AverageValue or Value"
            )
        if self.type == "Pods" and self.target.type != "AverageValue":
            raise ValueError("Pods metrics only take an AverageValue target")
        return self


class Autoscaling(Model):
    """HPA autoscaling/v2; when enabled the Deployment leaves `replicas` to it."""

    enabled: bool = True
    """Render the HPA; when false the Deployment runs `replicas` pods."""
    min_replicas: int = Field(default=2, ge=1)
    """Fewest pods; at least 2, so a restart never drops traffic."""
    max_replicas: int = Field(default=10, ge=1)
    """Most pods; at least minReplicas."""
    target_cpu_utilization: int | None = Field(default=70, ge=1, le=1000)
    """Average CPU, in percent of the request, the HPA keeps; null turns the CPU metric off."""
    target_memory_utilization: int | None = Field(default=None, ge=1, le=1000)
    """Average memory, in percent of the request, the HPA keeps; off when unset."""
    custom_metrics: list[CustomMetric] = []
    """More metrics (Pods or External); the HPA follows whichever asks for the most pods."""
    scale_down_stabilization_seconds: int = Field(default=300, ge=0, le=3600)
    """How long the HPA waits before scaling down (it then removes one pod a minute)."""
    scale_up_stabilization_seconds: int = Field(default=0, ge=0, le=3600)
    """How long the HPA waits before scaling up."""

    def problems(self, path: str) -> Iterator[Problem]:
        if not self.enabled:
            return
        if self.min_replicas > self.max_replicas:
            yield Problem(
                f"{path}.minReplicas",
                self.min_replicas,
                f"must be <= maxReplicas ({self.max_replicas})",
            )
        if (
            self.target_cpu_utilization is None
            and self.target_memory_utilization is None
            and not self.custom_metrics
        ):
            yield Problem(
                f"{path}.targetCpuUtilization",
                None,
                "the HPA needs at least one metric: set targetCpuUtilization, "
                "targetMemoryUtilization or customMetrics",
            )


class Disruption(Model):
    """PodDisruptionBudget; exactly one of minAvailable / maxUnavailable."""

    enabled: bool = True
    """Render the PodDisruptionBudget."""
    min_available: IntOrPercent | None = None
    """Pods that must stay up during voluntary disruptions: a count or a percentage (`50%`). Not
    with maxUnavailable."""
    max_unavailable: IntOrPercent | None = None
    """Pods that may be down during voluntary disruptions: a count or a percentage; 1 when neither
    bound is given."""

    @model_validator(mode="before")
    @classmethod
    def _default_max_unavailable(cls, data: Any) -> Any:
        """maxUnavailable 1 unless either bound is given: always leaves a pod evictable."""
        given = {"minAvailable", "min_available", "maxUnavailable", "max_unavailable"}
        if isinstance(data, dict) and not given & data.keys():
            return {**data, "maxUnavailable": 1}
        return data

    @model_validator(mode="after")
    def _at_most_one(self) -> Self:
        if self.min_available is not None and self.max_unavailable is not None:
            raise ValueError("set only one of minAvailable or maxUnavailable")
        if self.enabled and self.min_available is None and self.max_unavailable is None:
            raise ValueError("set one of minAvailable or maxUnavailable, or enabled: false")
        return self

    def evictable(self, replicas: int) -> int:
        """Pods a drain may evict at once with `replicas` running (the PDB's disruptionsAllowed)."""
        if self.max_unavailable is not None:
            return _scaled(self.max_unavailable, replicas, round_up=True)
        assert self.min_available is not None
        return replicas - _scaled(self.min_available, replicas, round_up=True)


class Toleration(Model):
    """A taint the gateway pods tolerate."""

    key: str | None = None
    """The taint key tolerated; unset with operator Exists tolerates every taint."""
    operator: Literal["Exists", "Equal"] = "Equal"
    """`Equal` (key and value match) or `Exists` (the key alone)."""
    value: str | None = None
    """The taint value, for operator Equal."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """`NoSchedule`, `PreferNoSchedule` or `NoExecute`; every effect when unset."""
    toleration_seconds: int | None = Field(default=None, ge=0)
    """With NoExecute: how long the pod stays on a newly tainted node."""

    @model_validator(mode="after")
    def _operator_value(self) -> Self:
        if self.operator == "Exists" and self.value is not None:
            raise ValueError("operator Exists takes no value; remove value")
        if self.key is None and self.operator != "Exists":
            raise ValueError("an empty key matches all taints only with operator Exists")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise ValueError("tolerationSeconds applies only to effect NoExecute")
        return self


class Spread(Model):
    """One topology spread constraint; ScheduleAnyway keeps single-zone clusters schedulable."""

    enabled: bool = True
    """Render this topology spread constraint."""
    max_skew: int = Field(default=1, ge=1)
    """Largest allowed difference in pod count between two domains."""
    when_unsatisfiable: Literal["ScheduleAnyway", "DoNotSchedule"] = "ScheduleAnyway"
    """`ScheduleAnyway` (a preference) or `DoNotSchedule` (a hard rule)."""


class Scheduling(Model):
    """Where the gateway pods run: node selection, tolerations and topology spread."""

    node_selector: Labels = {}
    """Node labels the pods must run on."""
    tolerations: list[Toleration] = []
    """Taints the pods tolerate."""
    priority_class_name: DnsSubdomain | None = None
    """A PriorityClass for the pods."""
    zone_spread: Spread = Spread.defaults()
    """Spread over zones (`topology.kubernetes.io/zone`)."""
    node_spread: Spread = Spread.defaults()
    """Spread over nodes (`kubernetes.io/hostname`)."""


class Drain(Model):
    """Graceful drain: Envoy keeps serving for terminationDrainSeconds after SIGTERM.

    It must outlast the load balancer's deregistration delay (checked by the stack), and the
    pod's termination grace period must outlast the drain, or the kubelet kills Envoy mid-drain.
    """

    termination_drain_seconds: int = Field(default=45, ge=1, le=3600)
    """Seconds Envoy keeps serving after SIGTERM (`terminationDrainDuration`);
    loadBalancer.deregistrationDelaySeconds + 15 when unset, and it must outlast that delay."""
    termination_grace_period_seconds: int = Field(default=60, ge=1, le=7200)
    """Seconds the kubelet waits before killing the pod; the drain + 15 when unset, and it must
    outlast the drain."""

    def problems(self, path: str) -> Iterator[Problem]:
        if self.termination_drain_seconds >= self.termination_grace_period_seconds:
            yield Problem(
                f"{path}.terminationDrainSeconds",
                self.termination_drain_seconds,
                "must be shorter than terminationGracePeriodSeconds "
                f"({self.termination_grace_period_seconds}); raise the grace period to at least "
                f"{self.termination_drain_seconds + 5}",
            )


class GatewayService(Model):
    """The gateway Service; its type follows the topology unless set."""

    type: Literal["LoadBalancer", "ClusterIP", "NodePort"] | None = None
    """`LoadBalancer`, `ClusterIP` or `NodePort`. Unset: ClusterIP in chained on EKS (the ALB
    targets pod IPs), else LoadBalancer. Topology gateway takes LoadBalancer only."""
    external_traffic_policy: Literal["Local", "Cluster"] | None = None
    """`Local` keeps client addresses (the load balancer sends only to nodes with a gateway pod);
    `Cluster` spreads over every node but hides them. Local when unset (ClusterIP takes none)."""
    load_balancer_source_ranges: list[Cidr] = []
    """Client CIDRs a LoadBalancer Service admits; everyone when empty."""
    load_balancer_class: str | None = None
    """The Service's loadBalancerClass (LoadBalancer only); on EKS only `service.k8s.aws/nlb`."""
    annotations: Annotations = {}
    """Extra Service annotations; the ones ingresslib sets from the cloud sections are refused."""
    labels: Labels = {}
    """Extra Service labels."""
    http_target_port: int = Field(default=80, ge=1, le=65535)
    """Pod port the Service's port 80 sends to."""
    https_target_port: int = Field(default=443, ge=1, le=65535)
    """Pod port the Service's port 443 sends to; differs from httpTargetPort and from the Istio
    proxy's own ports."""

    def problems(self, path: str) -> Iterator[Problem]:
        if self.http_target_port == self.https_target_port:
            yield Problem(
                f"{path}.httpsTargetPort",
                self.https_target_port,
                "must differ from httpTargetPort",
            )
        reserved = {15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15090}
        for name in ("http_target_port", "https_target_port"):
            port = getattr(self, name)
            if port in reserved:
                yield Problem(
                    f"{path}.{to_camel(name)}", port, "is reserved by the Istio proxy; pick another"
                )

    def type_problems(self, path: str, effective: str, why: str) -> Iterator[Problem]:
        """Fields that only an L4 load balancer reads, against the type the Service gets."""
        if effective != "LoadBalancer":
            for name in ("load_balancer_source_ranges", "load_balancer_class"):
                if getattr(self, name):
                    yield Problem(
                        f"{path}.{to_camel(name)}",
                        getattr(self, name),
                        f"only applies to a LoadBalancer Service, and this one is {effective} "
                        f"({why}); remove it",
                    )
        if effective == "ClusterIP" and self.external_traffic_policy:
            yield Problem(
                f"{path}.externalTrafficPolicy",
                self.external_traffic_policy,
                f"does not apply to a ClusterIP Service ({why}); remove it",
            )


class NetworkPolicySettings(Model):
    """Admit only the gateway's listener, health and metrics ports."""

    enabled: bool = True
    """Render the gateway's NetworkPolicy."""
    ingress_from: list[Cidr] = []
    """Client CIDRs admitted to the listener ports; everyone when empty."""
    metrics_from_namespaces: list[DnsLabel] = []
    """Namespaces admitted to the metrics port (15020, 15090); every namespace when empty."""


class Upgrade(Model):
    """A revision-based canary upgrade of the gateway, one config change per step.

    1. add `upgrade` with the new control plane's revision: a second Deployment with that
       `istio.io/rev` joins the same Service, taking traffic in proportion to its replicas;
    2. raise `upgrade.replicas` (and lower the HPA floor) to shift more traffic;
    3. set `revision` to the new one and remove `upgrade`: the main Deployment rolls to the
       new revision (maxUnavailable 0) and the canary Deployment goes.
    Roll back at any step by removing `upgrade`.
    """

    revision: DnsLabel
    """The new control plane's revision (its `istio.io/rev`)."""
    replicas: int = Field(default=1, ge=1)
    """Pods of the canary Deployment; its share of traffic is its share of pods."""


class GatewayWorkload(Model):
    """Everything about the gateway pods and their Service."""

    model_config = applies_to(topologies=("gateway", "chained"))

    name: DnsLabel = "istio-ingressgateway"
    """Name of the Deployment, its Service, HPA and PDB."""
    namespace: DnsLabel = "istio-ingress"
    """Namespace of the gateway; Istio reads TLS Secrets from here."""
    create_namespace: bool = True
    """Create the namespace (Pod Security `restricted`); false when it exists already."""
    revision: DnsLabel | None = None
    """The Istio control plane revision (`istio.io/rev`) that injects the gateway; the default
    revision when unset."""
    upgrade: Upgrade | None = None
    """A canary of the gateway on a new revision, during a control-plane upgrade."""
    labels: Labels = {"istio": "ingressgateway"}
    """Pod labels the Istio Gateway selects; `app`, `istio.io/rev` and `sidecar.istio.io/inject` are
    ingresslib's."""
    pod_annotations: Annotations = {}
    """Extra pod annotations."""
    replicas: int = Field(default=2, ge=1)
    """Pods when autoscaling is disabled."""
    autoscaling: Autoscaling = Autoscaling.defaults()
    """The HorizontalPodAutoscaler."""
    disruption: Disruption = Disruption.defaults()
    """The PodDisruptionBudget."""
    resources: Resources = Resources.defaults()
    """CPU and memory of the gateway proxy."""
    scheduling: Scheduling = Scheduling.defaults()
    """Node selection, tolerations and topology spread."""
    drain: Drain = Drain.defaults()
    """Graceful drain on shutdown; unset times follow what the load balancer needs (EDGE-DR-*)."""
    idle_timeout: Duration | None = None
    """Envoy's downstream HTTP idle timeout (a duration). Unset, the edge plan picks one that
    nests inside an L4 load balancer's idle timeout or outside an L7 one's (EDGE-TO-*)."""
    service: GatewayService = GatewayService.defaults()
    """The gateway Service (and through it the cloud load balancer)."""
    network_policy: NetworkPolicySettings = NetworkPolicySettings.defaults()
    """The NetworkPolicy admitting only the gateway's ports."""
    max_surge: IntOrPercent = 1
    """Extra pods during a rollout (a count or a percentage); above zero, since maxUnavailable is
    0."""

    def min_running(self) -> int:
        """Pods the gateway runs at its lowest: the HPA floor, or the fixed replica count."""
        return self.autoscaling.min_replicas if self.autoscaling.enabled else self.replicas

    def problems(self, path: str) -> Iterator[Problem]:
        yield from self.autoscaling.problems(f"{path}.autoscaling")
        yield from self.resources.problems(f"{path}.resources")
        yield from self.drain.problems(f"{path}.drain")
        yield from self.service.problems(f"{path}.service")
        if self.disruption.enabled:
            low = self.min_running()
            if self.disruption.evictable(low) < 1:
                field = "minAvailable" if self.disruption.min_available is not None else (
                    "maxUnavailable"
                )
                yield Problem(
                    f"{path}.disruption.{field}",
                    getattr(self.disruption, to_snake(field)),
                    f"leaves no pod evictable at {low} replica(s), so node drains block "
                    "forever; allow at least one disruption or raise the replica floor",
                )
        if "replicas" in self.model_fields_set and self.autoscaling.enabled:
            yield Problem(
                f"{path}.replicas",
                self.replicas,
                "has no effect while autoscaling is on: the HPA owns the replica count "
                "(autoscaling.minReplicas and maxReplicas); remove replicas, or set "
                "autoscaling.enabled: false",
            )
        if self.min_running() < 2:
            yield Problem(
                f"{path}.{'autoscaling.minReplicas' if self.autoscaling.enabled else 'replicas'}",
                self.min_running(),
                "a single gateway pod drops traffic on every restart; use at least 2",
            )
        if self.max_surge in (0, "0%"):
            yield Problem(
                f"{path}.maxSurge",
                self.max_surge,
                "must be above zero: maxUnavailable is 0, so rollouts need surge capacity",
            )
        if self.upgrade and self.upgrade.revision == self.revision:
            yield Problem(
                f"{path}.upgrade.revision",
                self.upgrade.revision,
                "is already the gateway's revision; to finish an upgrade remove upgrade",
            )
        if self.upgrade and len(f"{self.name}-{self.upgrade.revision}") > 63:
            yield Problem(
                f"{path}.upgrade.revision",
                self.upgrade.revision,
                f"makes the canary Deployment name {self.name}-{self.upgrade.revision} longer "
                "than 63 characters; shorten name or revision",
            )
        for key in ("app", "istio.io/rev", "sidecar.istio.io/inject"):
            if key in self.labels:
                yield Problem(
                    f"{path}.labels.{key}",
                    self.labels[key],
                    "is set by ingresslib; remove it (use revision for istio.io/rev)",
                )
        if not self.labels:
            yield Problem(
                f"{path}.labels", self.labels, "Istio Gateways select pods by these; set one"
            )


def _scaled(value: int | str, replicas: int, *, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    pct = int(value[:-1])
    q, r = divmod(pct * replicas, 100)
    return q + (1 if round_up and r else 0)


# Envoy keeps draining this long after the load balancer stops sending, and the kubelet waits
# this long after the drain: covers the controller's and the load balancer's propagation lag.
DRAIN_MARGIN_SECONDS = 15


def settle_workload(workload: GatewayWorkload | None, needed_seconds: int) -> GatewayWorkload:
    """The gateway as deployed: the given workload (or the defaults), its unset drain times
    derived from how long the load balancer keeps sending after a pod starts draining
    (`needed_seconds`): the drain outlasts it by DRAIN_MARGIN_SECONDS, and the grace period
    outlasts the drain by as much. Times the user set are kept (the edge rules check them)."""
    wl = workload or GatewayWorkload.defaults()
    drain = wl.drain
    given = drain.model_fields_set
    seconds = drain.termination_drain_seconds if (
        "termination_drain_seconds" in given) else needed_seconds + DRAIN_MARGIN_SECONDS
    grace = drain.termination_grace_period_seconds if (
        "termination_grace_period_seconds" in given) else seconds + DRAIN_MARGIN_SECONDS
    if (seconds, grace) == (drain.termination_drain_seconds,
                            drain.termination_grace_period_seconds):
        return wl
    return wl.model_copy(update={"drain": drain.model_copy(update={
        "termination_drain_seconds": seconds, "termination_grace_period_seconds": grace})})
