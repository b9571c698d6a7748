"""Application Gateway (chained and standalone through AGIC): its arguments (plan) and their
read-back against the edge plan (edge_contract)."""
