"""The Terraform side of each pulumi-aws type our plans register, for checkov's terraform_plan framework.

pulumi-aws is bridged from the Terraform AWS provider, so every resource is a Terraform resource under another
name: its type token maps to an `aws_*` type, its camelCase properties to the provider's snake_case
attributes, and a nested block the provider caps at one element (MaxItems=1) is flattened by Pulumi into a
single object, where Terraform (and so checkov) expects a one-element list.

Read from pulumi-aws's provider/cmd/pulumi-resource-aws/bridge-metadata.json (`renames.resources`: token ->
Terraform name; `renames.renamedProperties`: the Pulumi names that are not the camelCase of the Terraform ones,
mostly pluralised list blocks) for the types and fields our plans use. The MaxItems=1 blocks are generated from
the pinned SDK itself (security/aws_max_items_one.py). A token that is neither here nor in EXCLUDED fails the
conversion by name (tests/unit/test_tfplan.py holds every AWS type of every stack to that).
"""

from __future__ import annotations

# Type token -> Terraform resource type.
TF_TYPES: dict[str, str] = {
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/tag:Tag": "aws_ec2_tag",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:efs/fileSystem:FileSystem": "aws_efs_file_system",
    "aws:efs/mountTarget:MountTarget": "aws_efs_mount_target",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "aws_eks_pod_identity_association",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/keyPolicy:KeyPolicy": "aws_kms_key_policy",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
}

# Pulumi property -> Terraform attribute, where it is not the snake_case of the camelCase (renamedProperties).
# Keyed by type token; a nested block's properties by "<outer>.<property>" in Pulumi names.
RENAMED: dict[str, dict[str, str]] = {
    "aws:ec2/routeTable:RouteTable": {"routes": "route"},
    "aws:eks/nodeGroup:NodeGroup": {"taints": "taint"},
    "aws:eks/addon:Addon": {"podIdentityAssociations": "pod_identity_association"},
    "aws:efs/fileSystem:FileSystem": {"lifecyclePolicies": "lifecycle_policy"},
    "aws:iam/role:Role": {"inlinePolicies": "inline_policy"},
    "aws:ec2/launchTemplate:LaunchTemplate": {"licenseSpecifications": "license_specification"},
}

# AWS-side tokens deliberately not converted, each with the reason.
EXCLUDED: dict[str, str] = {
    "eks:index:Cluster": (
        "pulumi-eks's remote component: its children are invisible offline; security/eks_cluster.py emits the "
        "aws_eks_cluster it creates, derived from the component's inputs"
    ),
}
