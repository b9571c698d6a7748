"""AWS Certificate Manager as a certificate source (`source: acm`), apart from the rest of the
AWS config: a stack of either cloud validates its certificates with every source's model, and
an AKS stack never loads `ingresslib.aws.config`."""

import re
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from ingresslib.config.base import applies_to
from ingresslib.config.certificates import Certificate
from ingresslib.config.listeners import Host

_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")


def _acm_arn(value: str) -> str:
    if not _ACM_ARN.match(value):
        raise ValueError(
            "must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>"
        )
    return value


AcmArn = Annotated[str, AfterValidator(_acm_arn)]


class AcmCertificate(Certificate):
    """AWS Certificate Manager: an existing certificate (`arn`), or one ingresslib requests and
    validates through DNS records in the Route53 zone `validationZone`. Terminates at the NLB
    or ALB; never reaches the gateway."""

    model_config = applies_to(clouds=("eks",))
    CLOUD: ClassVar[str | None] = "eks"
    PROVIDER: ClassVar[str] = "AWS"
    source: Literal["acm"]
    """`acm`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate covers."""
    arn: AcmArn | None = None
    """ARN of an existing ACM certificate; or set validationZone."""
    validation_zone: str | None = None
    """Route53 hosted zone to validate a new certificate in (DNS validation); it must hold every
    name. Or set arn."""

    @model_validator(mode="after")
    def _existing_or_created(self) -> Self:
        if (self.arn is None) == (self.validation_zone is None):
            raise ValueError("set arn (an existing certificate) or validationZone (the Route53 "
                             "zone to validate a new one in), not both")
        return self

    def terminates_in_cluster(self, topology: str) -> bool:
        return False  # ACM certificates cannot be exported: TLS ends at the NLB or ALB
