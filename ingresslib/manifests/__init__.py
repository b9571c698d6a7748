"""Pure core: plain dicts for every Kubernetes object, decided from the config alone."""
