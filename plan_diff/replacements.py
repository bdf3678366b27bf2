"""What forces a replacement, per resource type, and what the API server refuses to update: the tables the
offline plan diff estimates replacements from (`pulumi preview --diff` against the real stack stays the
authority)."""

from __future__ import annotations

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"

# Inputs each resource type cannot update in place, for the types this program registers, with the names
# `plan.json` records (checked against build/dev and build/prod). A change to any of them (added, removed or
# different) makes the resource "replace". "kubernetes:*" applies to every Kubernetes object; "*" as a field
# means every input.
#
# Kubernetes: pulumi-kubernetes v4 `forceNew` (provider/pkg/provider/diff.go): metadata.name/namespace for
# every kind, plus the kinds below. ConfigMap data and Secret data/type replace because our provider sets
# neither `enableConfigMapMutable` nor `enableSecretMutable`. Helm releases: the release provider replaces on a
# new name or namespace.
# AWS: the ForceNew attributes of terraform-provider-aws, from which pulumi-aws is bridged, under their
# pulumi-aws input names. An EKS cluster's subnets are updatable there (UpdateClusterConfig), its VPC is not.
# random: every argument of RandomPassword is RequiresReplace — a new length regenerates the password.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    "kubernetes:*": ("metadata.name", "metadata.namespace"),
    "kubernetes:apps/v1:DaemonSet": ("spec.selector",),
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:apps/v1:StatefulSet": (
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ),
    "kubernetes:batch/v1:Job": ("spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
    "kubernetes:core/v1:ConfigMap": ("binaryData", "data"),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.selector",
        "spec.storageClassName",
        "spec.volumeName",
    ),
    "kubernetes:core/v1:ResourceQuota": ("spec.scopes",),
    "kubernetes:core/v1:Secret": ("data", "stringData", "type"),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:storage.k8s.io/v1:StorageClass": (
        "parameters",
        "provisioner",
    ),
    HELM_RELEASE: ("name", "namespace"),
    "aws:cloudwatch/eventRule:EventRule": ("eventBusName", "name", "namePrefix"),
    "aws:cloudwatch/eventTarget:EventTarget": ("eventBusName", "rule", "targetId"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix"),
    "aws:ec2/eip:Eip": ("domain",),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", "namePrefix"),
    "aws:ec2/natGateway:NatGateway": ("allocationId", "connectivityType", "subnetId"),
    "aws:ec2/routeTable:RouteTable": ("vpcId",),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("gatewayId", "subnetId"),
    "aws:ec2/securityGroup:SecurityGroup": ("description", "name", "namePrefix", "vpcId"),
    "aws:ec2/subnet:Subnet": ("availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId"),
    "aws:ec2/tag:Tag": ("key", "resourceId"),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:efs/fileSystem:FileSystem": (
        "availabilityZoneName",
        "creationToken",
        "encrypted",
        "kmsKeyId",
        "performanceMode",
    ),
    "aws:efs/mountTarget:MountTarget": ("fileSystemId", "ipAddress", "subnetId"),
    "aws:eks/accessEntry:AccessEntry": ("clusterName", "principalArn", "type"),
    "aws:eks/addon:Addon": ("addonName", "clusterName"),
    "aws:eks/nodeGroup:NodeGroup": (
        "amiType",
        "capacityType",
        "clusterName",
        "diskSize",
        "instanceTypes",
        "launchTemplate.id",
        "launchTemplate.name",
        "nodeGroupName",
        "nodeGroupNamePrefix",
        "nodeRoleArn",
        "remoteAccess",
        "subnetIds",
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName", "namespace", "serviceAccount"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn", "role"),
    "aws:kms/key:Key": ("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion"),
    "aws:kms/keyPolicy:KeyPolicy": ("keyId",),
    "aws:sqs/queue:Queue": ("fifoQueue", "name", "namePrefix"),
    "aws:sqs/queuePolicy:QueuePolicy": ("queueUrl",),
    "eks:index:Cluster": ("name", "vpcId"),
    "random:index/randomPassword:RandomPassword": ("*",),
}

# Fields the API server refuses to change, but which the provider does not replace on: `pulumi preview` shows
# an in-place update and `pulumi up` then fails ("field is immutable"). Flagged so the reviewer plans the
# replacement (`pulumi up --replace <urn>`) instead of discovering it mid-deploy.
REFUSED_UPDATES: dict[str, tuple[str, ...]] = {
    "kubernetes:storage.k8s.io/v1:StorageClass": ("reclaimPolicy", "volumeBindingMode"),
}
