"""Application Gateway for Containers (AGC): its config, names, edge plan, rules, Gateway API
manifests and resource arguments."""
