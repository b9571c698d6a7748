"""Which API the Istio gateway's routing is written in, and the Gateway API channel."""


from typing import Literal

from ingresslib.config.base import Model, scope

Api = Literal["istio", "gatewayApi"]


class GatewayApi(Model):
    """Settings of the Kubernetes Gateway API rendering (`api: gatewayApi`)."""

    model_config = {**Model.model_config,
                    "json_schema_extra": scope(topologies=("gateway", "chained"))}

    channel: Literal["standard", "experimental"] = "standard"
    """The Gateway API release channel (v1.6.1) the cluster's CRDs come from. `standard` (the
    default) renders standard fields only; `experimental` also renders HTTPRoute `retry` (and
    validates against the experimental CRDs), for clusters that install them."""
