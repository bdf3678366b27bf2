"""ModelCache: an encrypted EFS file system shared by every inference pod as ONE ReadWriteMany claim.

Weights are downloaded once into the cache and read by every replica on every node, so a cold start reads
from inside the VPC instead of from Hugging Face. With `protect`, the file system and its KMS key survive
config edits and `pulumi destroy` alike: a lost key would make retained data unreadable, so both are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import kms
from components.iam import aws_context, eks_addon_with_role
from components.key_policies import file_system_key_policy

EFS_CSI_CONTROLLER_SA = "efs-csi-controller-sa"  # the add-on's controller service account (kube-system)


@dataclass(frozen=True)
class ModelCacheArgs:
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[
        pulumi.Input[str]
    ]  # one mount target each: one subnet per zone (EFS takes one per zone)
    node_security_group_id: pulumi.Input[str]
    namespace: pulumi.Input[str]
    pvc_name: str
    size_gib: int
    throughput_mode: str
    protect: bool
    efs_csi_version: str
    k8s_provider: k8s.Provider
    # Files are owned by this identity whatever UID a pod runs as (EFS access points enforce it), so the
    # preload job and every server read and write the same tree.
    posix_uid: int = 1000
    posix_gid: int = 1000
    # The add-on's pods need the Pod Identity agent running to get credentials.
    addon_depends_on: Sequence[pulumi.Resource] = ()


class ModelCache(pulumi.ComponentResource):
    def __init__(self, name: str, args: ModelCacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:storage:ModelCache", name, None, opts)
        self._name, self._args = name, args
        self._file_system()
        self._mount_targets()
        self._csi_driver()
        self._claim()
        self.file_system_id = self.file_system.id
        self.pvc_name = self.pvc.metadata["name"]
        self.pvc_namespace = self.pvc.metadata["namespace"]
        self.register_outputs(
            {
                "fileSystemId": self.file_system_id,
                "pvcName": self.pvc_name,
                "pvcNamespace": self.pvc_namespace,
            }
        )

    def _file_system(self) -> None:
        """The KMS key and the encrypted EFS file system, both kept when `protect` is set."""
        name, args = self._name, self._args
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect)
        key = kms.key(
            f"{name}-key",
            "EFS model cache encryption",
            keep,
            aws_context().apply(lambda c: file_system_key_policy(*c)),
        )
        self.file_system = aws.efs.FileSystem(
            f"{name}-fs",
            encrypted=True,
            kms_key_id=key.arn,
            performance_mode="generalPurpose",
            throughput_mode=args.throughput_mode,
            # No lifecycle policy: Infrequent Access charges per GB read, and every cold start reads every
            # byte of a model, so tiering weights would cost more than it saves.
            tags={"Name": name},
            opts=keep,
        )

    def _mount_targets(self) -> None:
        """A security group admitting NFS from the nodes only, and one mount target per subnet."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        nfs = aws.ec2.SecurityGroup(
            f"{name}-nfs",
            vpc_id=args.vpc_id,
            description="NFS to the EFS model cache from cluster nodes only",
            tags={"Name": f"{name}-nfs"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nfs-from-nodes",
            security_group_id=nfs.id,
            referenced_security_group_id=args.node_security_group_id,
            ip_protocol="tcp",
            from_port=2049,
            to_port=2049,
            description="NFS from EKS nodes",
            opts=child,
        )
        self.mount_targets = [
            aws.efs.MountTarget(
                f"{name}-mount-{i}",
                file_system_id=self.file_system.id,
                subnet_id=subnet_id,
                security_groups=[nfs.id],
                opts=child,
            )
            for i, subnet_id in enumerate(args.subnet_ids)
        ]

    def _csi_driver(self) -> None:
        """The EFS CSI driver add-on, with its controller's role through Pod Identity."""
        name, args = self._name, self._args
        # The add-on's node DaemonSet tolerates every taint (upstream default `operator: Exists`), so GPU
        # nodes mount the cache without extra configuration; its controller stays on untainted system nodes.
        self.csi_addon = eks_addon_with_role(
            f"{name}-efs-csi",
            self,
            cluster_name=args.cluster_name,
            addon="aws-efs-csi-driver",
            version=args.efs_csi_version,
            service_account=EFS_CSI_CONTROLLER_SA,
            policy="service-role/AmazonEFSCSIDriverPolicy",
            description="EFS CSI controller (EKS Pod Identity): creates and deletes access points",
            depends_on=args.addon_depends_on,
        )

    def _claim(self) -> None:
        """The StorageClass over the file system and the one ReadWriteMany claim every pod shares."""
        name, args = self._name, self._args
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-sc",
            metadata={"name": "efs-model-cache"},
            provisioner="efs.csi.aws.com",
            parameters={
                "provisioningMode": "efs-ap",
                "fileSystemId": self.file_system.id,
                "directoryPerms": "750",
                "uid": str(args.posix_uid),
                "gid": str(args.posix_gid),
                "basePath": "/model-cache",
                # A stable directory per claim: a re-created claim finds the weights already there.
                "subPathPattern": "${.PVC.namespace}/${.PVC.name}",
                "ensureUniqueDirectory": "false",
            },
            reclaim_policy="Retain" if args.protect else "Delete",
            volume_binding_mode="Immediate",
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
        )
        self.pvc = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-pvc",
            metadata={"name": args.pvc_name, "namespace": args.namespace},
            spec={
                "accessModes": ["ReadWriteMany"],
                "storageClassName": self.storage_class.metadata["name"],
                # EFS is elastic; the request is required by Kubernetes and documents the expected footprint.
                "resources": {"requests": {"storage": f"{args.size_gib}Gi"}},
            },
            # The provisioner must exist and reach the file system before the claim can bind.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.k8s_provider,
                depends_on=[self.csi_addon, *self.mount_targets],
            ),
        )
