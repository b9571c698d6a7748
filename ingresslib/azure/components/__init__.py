"""The Azure resources of an AKS stack, with pulumi-azure-native. IngressStack imports these
modules only when the stack's cloud is aks, so no other stack loads the Azure SDK."""
