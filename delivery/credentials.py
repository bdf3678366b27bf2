"""What a job must hold before it runs `pulumi` for a stack: the backend's login and the secrets provider's key.

The workflows run `python -m delivery credentials <stack>` just before the Pulumi step, with the backend URL and
whether each secret is set (`${{ secrets.X != '' }}`: never a secret's value). A missing one then fails the job
with its name and where to set it, instead of a login prompt or "incorrect passphrase" half way into a preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# Backend URL schemes whose login is PULUMI_ACCESS_TOKEN: Pulumi Cloud (the CLI's default, an empty URL) or a
# self-hosted Pulumi service. Every other scheme (s3://, gs://, azblob://, file://) is a self-managed backend,
# where the stack's default secrets provider is a passphrase.
SERVICE_SCHEMES = ("", "https", "http")


@dataclass(frozen=True)
class Held:
    """What a job holds, as the workflow tells it: the backend URL and whether each credential is set."""

    backend_url: str
    access_token: bool
    passphrase: bool
    aws_role: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Held:
        return cls(
            backend_url=env.get("PULUMI_BACKEND_URL", ""),
            access_token=env.get("HAS_PULUMI_ACCESS_TOKEN") == "true",
            passphrase=env.get("HAS_PULUMI_CONFIG_PASSPHRASE") == "true",
            # configure-aws-credentials exports the assumed role's keys; only their presence is read.
            aws_role=bool(env.get("AWS_ACCESS_KEY_ID")),
        )

    @property
    def service_backend(self) -> bool:
        return urlsplit(self.backend_url).scheme in SERVICE_SCHEMES


def missing(stack: str, provider: str, held: Held) -> list[str]:
    """Every credential the stack's backend and secrets provider (a SECRETS_PROVIDERS key) need and the job
    lacks, each said with where to set it."""
    where = 'a secret of the stack\'s GitHub environments (README "Add an environment")'
    out = []
    if held.service_backend and not held.access_token:
        out.append(f"PULUMI_ACCESS_TOKEN: the backend is the Pulumi service; set it as {where}")
    needs_passphrase = provider == "passphrase" or (provider == "default" and not held.service_backend)
    if needs_passphrase and not held.passphrase:
        why = (
            "secretsprovider: passphrase" if provider == "passphrase" else "a self-managed backend's default"
        )
        out.append(
            f"PULUMI_CONFIG_PASSPHRASE: Pulumi.{stack}.yaml's secrets provider is {why}; set it as {where}"
        )
    if provider == "awskms" and not held.aws_role:
        out.append(
            f"AWS credentials: Pulumi.{stack}.yaml's secrets are encrypted with AWS KMS; the job must assume "
            "its role (allowed kms:Decrypt on the key) before pulumi runs"
        )
    return out
