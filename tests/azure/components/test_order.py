"""The order Azure resources are created in: each resource that names another by ID, or needs a
role on it, waits for it (`depends_on` where no input carries the dependency). Pulumi creates
what nothing orders in parallel, so a lost `depends_on` renders the same inputs and fails only
against Azure; these tests read the dependencies Pulumi registers."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.offline.mocks import Registered
from ingresslib.offline.runner import run_program
from tests.configs import VAULT_PFX, aks_vault_stack


class Match(NamedTuple):
    """Resources of one type whose Pulumi name holds `name` (any name when empty)."""

    type: str
    name: str = ""

    def of(self, records: list[Registered]) -> list[Registered]:
        return [r for r in records if r.type == self.type and self.name in r.name]


_NET = "azure-native:network:"
APPGW = Match(f"{_NET}ApplicationGateway")
SUBNET = Match(f"{_NET}Subnet")
WAF = Match(f"{_NET}WebApplicationFirewallPolicy")
IDENTITY = Match("azure-native:managedidentity:UserAssignedIdentity")
FEDERATION = Match("azure-native:managedidentity:FederatedIdentityCredential")
_ROLE = "azure-native:authorization:RoleAssignment"
SECRETS_USER = Match(_ROLE, "-secrets-user-")
AGIC_ROLE = Match(_ROLE, "-agic-")
ALB_CONTROLLER_ROLE = Match(_ROLE, "-alb-controller-")
_AGC = "azure-native:servicenetworking:"
TRAFFIC_CONTROLLER = Match(f"{_AGC}TrafficControllerInterface")
FRONTEND = Match(f"{_AGC}FrontendsInterface")
ASSOCIATION = Match(f"{_AGC}AssociationsInterface")
VAULT = Match("azure-native:keyvault:Vault")
VAULT_SECRET = Match("azure-native:keyvault:Secret")

# (what waits, what it waits for, why). Every rule is met in some render below.
ORDER: list[tuple[Match, Match, str]] = [
    (APPGW, SECRETS_USER, "Application Gateway reads its listeners' Key Vault certificates "
                          "with its identity when it is created"),
    (AGIC_ROLE, APPGW, "AGIC's roles are scoped to the gateway"),
    (FEDERATION, IDENTITY, "a federated credential is a child of its identity"),
    (FRONTEND, TRAFFIC_CONTROLLER, "a frontend is a child of the traffic controller"),
    (ASSOCIATION, TRAFFIC_CONTROLLER, "an association is a child of the traffic controller"),
    (ASSOCIATION, SUBNET, "the association delegates the subnet the stack creates"),
    (ALB_CONTROLLER_ROLE, TRAFFIC_CONTROLLER, "the ALB controller's roles are scoped to it"),
    (ALB_CONTROLLER_ROLE, SUBNET, "... and to the subnet the stack creates"),
    (ALB_CONTROLLER_ROLE, WAF, "... and to the WAF policy the stack creates"),
    (VAULT_SECRET, VAULT, "an imported certificate is a secret of the vault the stack creates"),
    (SECRETS_USER, VAULT, "the reader role is scoped to the vault the stack creates"),
    (SECRETS_USER, VAULT_SECRET, "... or to the certificate imported into it"),
]


def _vault_with_imported_certificate() -> list[Registered]:
    return run_program(lambda: IngressStack("edge", parse_config(aks_vault_stack())),
                       config=VAULT_PFX)


@pytest.fixture(scope="module")
def aks_renders(renders) -> dict[str, list[Registered]]:
    """Every AKS stack and example, and a chained stack that creates its vault and imports a
    certificate into it (no shipped stack does)."""
    found = {f"{d}:{s}": records for (d, s), records in renders.items()
             if any(r.type.startswith("azure-native:") for r in records)}
    return found | {"chained with a created vault": _vault_with_imported_certificate()}


@pytest.mark.parametrize(("waiting", "prerequisite", "why"), ORDER,
                         ids=[f"{w.type.rsplit(':', 1)[1]}{w.name}->"
                              f"{p.type.rsplit(':', 1)[1]}{p.name}" for w, p, _ in ORDER])
def test_each_resource_waits_for_what_it_names(aks_renders, waiting: Match,
                                                prerequisite: Match, why: str) -> None:
    met = 0
    for render, records in aks_renders.items():
        for first in prerequisite.of(records):
            for later in waiting.of(records):
                assert first.urn in later.dependencies, f"{render}: {later.name} ({why})"
                met += 1
    assert met, f"no render has both sides of the rule ({why})"

