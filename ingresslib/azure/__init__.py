"""The Azure plan of an AKS stack, pure: resource arguments in pulumi-azure-native's shapes,
ARM IDs and the gateway Service's load-balancer annotations. No pulumi_azure_native import."""
