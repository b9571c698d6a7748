"""The Azure plan of an AKS stack, pure: resource arguments in pulumi-azure-native's shapes,
ARM IDs and the gateway Service's load-balancer annotations. No pulumi_azure_native import."""

# Completes the Azure section's model with applicationGatewayForContainers (defined there).
from ingresslib.azure import agc_config as _agc_config  # noqa: F401
