"""The Application Gateway Ingress Controller (AGIC): the Ingresses it reads and their rules."""
