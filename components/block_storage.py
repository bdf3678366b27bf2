"""BlockStorage: the EBS CSI driver add-on and an encrypted gp3 StorageClass (Prometheus's volume and any
other ReadWriteOnce claim)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.iam import eks_addon_with_role

EBS_CSI_CONTROLLER_SA = "ebs-csi-controller-sa"
GP3_CLASS = "gp3"


@dataclass(frozen=True)
class BlockStorageArgs:
    cluster_name: pulumi.Input[str]
    ebs_csi_version: str
    k8s_provider: k8s.Provider
    addon_depends_on: Sequence[pulumi.Resource] = ()


class BlockStorage(pulumi.ComponentResource):
    def __init__(self, name: str, args: BlockStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:storage:BlockStorage", name, None, opts)
        # V2 acts only on volumes tagged ebs.csi.aws.com/cluster=true, which the driver sets on every volume it
        # provisions: narrower than the original policy, which could touch any volume in the account. The
        # add-on's node DaemonSet tolerates all taints by default, so volumes attach on GPU nodes too.
        self.addon = eks_addon_with_role(
            f"{name}-ebs-csi",
            self,
            cluster_name=args.cluster_name,
            addon="aws-ebs-csi-driver",
            version=args.ebs_csi_version,
            service_account=EBS_CSI_CONTROLLER_SA,
            policy="service-role/AmazonEBSCSIDriverPolicyV2",
            description="EBS CSI controller (EKS Pod Identity): creates, attaches and deletes volumes",
            depends_on=args.addon_depends_on,
        )
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={
                "name": GP3_CLASS,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
            # Bind where the pod lands: an EBS volume lives in one AZ.
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Delete",
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=[self.addon]),
        )
        self.storage_class_name = GP3_CLASS
        self.register_outputs({"storageClass": GP3_CLASS})
