"""manifests/monitoring.py: the scrape target, alerts, dashboard and access-log Telemetry."""
