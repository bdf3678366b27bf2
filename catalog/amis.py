"""EKS AMI families: how each is named in the node group API, in Karpenter, and what it ships."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class AmiFamily:
    """How one EKS AMI family is named in each API that needs it.

    `release_pattern` matches the managed node group `release_version` of that family; its `alias` group is
    what Karpenter's `amiSelectorTerms` alias takes after `@v`, so both fleets can be pinned to one release. A
    `k8s` group is the Kubernetes minor the release is built for, and a `date` group its build date (YYYYMMDD),
    when the family's releases name them: config checks both, and recognises one family's release written under
    another family by them.
    """

    gpu_ami_type: MappingProxyType[str, str]
    system_ami_type: MappingProxyType[str, str]
    # The EBS device that holds container images: AL2023 keeps them on the root volume, Bottlerocket on its
    # second (data) volume. Sizing the wrong one leaves multi-GB inference images on a 20 GiB disk.
    image_volume_device: str
    release_pattern: re.Pattern[str]
    release_example: str
    release_source: str  # where a release version of the family is read
    karpenter_alias_prefix: str
    # Bottlerocket NVIDIA AMIs ship the device plugin themselves; AL2023 NVIDIA AMIs do not.
    ships_device_plugin: bool


AMI_FAMILIES: MappingProxyType[str, AmiFamily] = MappingProxyType(
    {
        "al2023": AmiFamily(
            gpu_ami_type=MappingProxyType(
                {"x86_64": "AL2023_x86_64_NVIDIA", "arm64": "AL2023_ARM_64_NVIDIA"}
            ),
            system_ami_type=MappingProxyType(
                {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}
            ),
            image_volume_device="/dev/xvda",
            # <kubernetes major.minor.patch>-<YYYYMMDD>: the "Release version" column of amazon-eks-ami's
            # CHANGELOG.md, e.g. v20260714 ships 1.35.6-20260714 and 1.34.9-20260714 (NVIDIA variants included).
            release_pattern=re.compile(r"^(?P<k8s>1\.\d+)\.\d+-(?P<alias>(?P<date>\d{8}))$"),
            release_example="1.35.6-20260714",
            release_source="the Release version column of amazon-eks-ami's CHANGELOG.md",
            karpenter_alias_prefix="al2023",
            ships_device_plugin=False,
        ),
        "bottlerocket": AmiFamily(
            gpu_ami_type=MappingProxyType(
                {"x86_64": "BOTTLEROCKET_x86_64_NVIDIA", "arm64": "BOTTLEROCKET_ARM_64_NVIDIA"}
            ),
            system_ami_type=MappingProxyType(
                {"x86_64": "BOTTLEROCKET_x86_64", "arm64": "BOTTLEROCKET_ARM_64"}
            ),
            image_volume_device="/dev/xvdb",
            # <bottlerocket X.Y.Z>-<8 hex build>: SSM /aws/service/bottlerocket/aws-k8s-<minor>-nvidia/x86_64/
            # latest/image_version, e.g. 1.65.0-0be31b34. The Kubernetes minor is the variant's.
            release_pattern=re.compile(r"^(?P<alias>\d+\.\d+\.\d+)-[0-9a-f]{8}$"),
            release_example="1.65.0-0be31b34",
            release_source="SSM /aws/service/bottlerocket/aws-k8s-<minor>-nvidia/x86_64/latest/image_version",
            karpenter_alias_prefix="bottlerocket",
            ships_device_plugin=True,
        ),
    }
)


def karpenter_ami_alias(family: str, release_version: str) -> str:
    """The Karpenter `amiSelectorTerms` alias pinned to the same AMI release as the managed node groups."""
    fam = AMI_FAMILIES[family]
    match = fam.release_pattern.match(release_version)
    if match is None:
        raise ValueError(
            f"{release_version!r} is not a {family} release version (e.g. {fam.release_example})"
        )
    return f"{fam.karpenter_alias_prefix}@v{match['alias']}"
