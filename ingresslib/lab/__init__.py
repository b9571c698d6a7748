"""The edge lab: a stack proven by real traffic on loopback (`ingresslib verify`).

client -> front (Envoy as the cloud load balancer, configured from the render) -> gateway
(Envoy serving the xDS istiod would push, from `edgelab xds`) -> backend stand-ins
(`edgelab serve`). The probes are derived from the stack's config; docs/lab.md describes it.
"""
