"""AcmCertificates: the stack's ACM certificates, existing or requested and DNS-validated."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ingresslib.aws.config import AcmCertificate, EksStack
from ingresslib.aws.tags import resource_tags
from ingresslib.components.base import renamed_type


def _slug(name: str) -> str:
    return name.replace("*", "wildcard").replace(".", "-")


class AcmCertificates(pulumi.ComponentResource):
    """Every `source: acm` certificate of the config. `arns` maps each to an ARN that resolves
    once the certificate is ISSUED: existing ones as configured, new ones after ACM saw their
    validation records in Route53, so no listener is ever given a pending certificate."""

    def __init__(
        self, name: str, config: EksStack, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ingresslib:index:AcmCertificates", name, None,
                         renamed_type(opts, "ingresslib:aws:AcmCertificates"))
        self.arns: dict[str, pulumi.Input[str]] = {}
        for key, cert in sorted(config.certificates.items()):
            if isinstance(cert, AcmCertificate):
                self.arns[key] = cert.arn or self._request(f"{name}-{key}", cert, config.name)
        self.register_outputs({"arns": self.arns})

    def _request(self, name: str, cert: AcmCertificate, stack: str) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        zone = aws.route53.get_zone_output(
            name=cert.validation_zone, private_zone=False,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        certificate = aws.acm.Certificate(
            name,
            domain_name=cert.dns_names[0],
            subject_alternative_names=cert.dns_names[1:],
            validation_method="DNS",
            tags=resource_tags(stack),
            opts=child,
        )
        records = []
        # A wildcard and its base name share one validation record.
        for base in dict.fromkeys(n.removeprefix("*.") for n in cert.dns_names):
            option = certificate.domain_validation_options.apply(
                lambda options, b=base: next(
                    o for o in options if o.domain_name.removeprefix("*.") == b))
            records.append(aws.route53.Record(
                f"{name}-validation-{_slug(base)}",
                zone_id=zone.zone_id,
                name=option.resource_record_name,
                type=option.resource_record_type,
                records=[option.resource_record_value],
                ttl=300,
                allow_overwrite=True,
                opts=child,
            ))
        validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[r.fqdn for r in records],
            opts=child,
        )
        return validation.certificate_arn
