"""VPC flow logs: one flow log on a VPC, to a CloudWatch log group this component creates (with a retention and
the role the flow log service writes it with) or to an S3 bucket the caller names (no role: S3 delivery is
authorised by the bucket policy)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.kms import log_group_key

FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
# What the flow log service needs on its log group (AWS VPC user guide, "IAM role for publishing flow logs to
# CloudWatch Logs"), less logs:CreateLogGroup: the group is created here, with its retention.
LOG_GROUP_ACTIONS = (
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
)


@dataclass(frozen=True)
class FlowLogsArgs:
    vpc_id: pulumi.Input[str]
    destination: Literal["cloudWatch", "s3"]
    traffic_type: str
    # Names the log group and the role after the cluster.
    cluster_name: str
    # The region the flow log is created in: the trust policy admits only flow logs of this region and account.
    region: str
    # For `cloudWatch`.
    retention_days: int | None = None
    # For `s3`: arn:<partition>:s3:::bucket[/folder].
    bucket_arn: str | None = None

    def __post_init__(self) -> None:
        needed = DESTINATION_NEEDS[self.destination]
        if getattr(self, needed) is None:
            raise ValueError(f"flow logs to {self.destination} need {needed}")


# The argument each destination cannot go without.
DESTINATION_NEEDS = {"cloudWatch": "retention_days", "s3": "bucket_arn"}


@dataclass(frozen=True)
class _Destination:
    """The flow log's arguments for where its records go, and what must exist before it."""

    inputs: dict[str, pulumi.Input[str]]
    after: tuple[pulumi.Resource, ...] = ()


def log_group_policy(log_group_arn: str) -> dict[str, Any]:
    """The role's only rights: the flow log actions on one log group and the streams in it. The group's ARN as
    pulumi-aws gives it has no `:*`; the stream actions are authorised on `…:log-group:NAME:log-stream:NAME`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(LOG_GROUP_ACTIONS),
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }


def flow_logs_trust(partition: str, region: str, account: str) -> dict[str, Any]:
    """The flow log service may assume the role only for a flow log of this account and region: the
    confused-deputy conditions the AWS VPC user guide recommends. The flow log's id is not known before the role
    exists (the flow log needs the role), hence the wildcard the guide allows for."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"},
                },
            }
        ],
    }


class FlowLogs(pulumi.ComponentResource):
    def __init__(self, name: str, args: FlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:network:FlowLogs", name, None, opts)
        self._name, self._args = name, args
        destinations: dict[str, Callable[[], _Destination]] = {
            "cloudWatch": self._to_cloudwatch,
            "s3": self._to_s3,
        }
        destination = destinations[args.destination]()
        self.flow_log = aws.ec2.FlowLog(
            name,
            vpc_id=args.vpc_id,
            traffic_type=args.traffic_type,
            **destination.inputs,
            tags={"Name": f"{args.cluster_name}-flow-logs"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(destination.after)),
        )
        self.register_outputs({"flowLogId": self.flow_log.id})

    def _to_cloudwatch(self) -> _Destination:
        """A log group with the retention, and the role the flow log service writes it with."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        group_name = f"/aws/vpc/{args.cluster_name}/flow-logs"
        key = log_group_key(f"{name}-key", group_name, f"VPC flow logs of {args.cluster_name}", self)
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=group_name,
            retention_in_days=args.retention_days,
            kms_key_id=key.arn,
            opts=child,
        )
        trust = pulumi.Output.all(
            aws.get_partition_output().partition, aws.get_caller_identity_output().account_id
        ).apply(lambda a: json.dumps(flow_logs_trust(a[0], args.region, a[1])))
        role = aws.iam.Role(
            name,
            description=f"VPC flow logs of {args.cluster_name} to CloudWatch Logs",
            assume_role_policy=trust,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=log_group.arn.apply(lambda arn: json.dumps(log_group_policy(arn))),
            opts=child,
        )
        return _Destination(
            inputs={
                "log_destination_type": "cloud-watch-logs",
                "log_destination": log_group.arn,
                "iam_role_arn": role.arn,
            },
            # Without the policy on the role yet, the first deliveries would be refused.
            after=(policy,),
        )

    def _to_s3(self) -> _Destination:
        """The caller's bucket; S3 delivery is authorised by the bucket's policy, so there is no role."""
        return _Destination(
            inputs={"log_destination_type": "s3", "log_destination": str(self._args.bucket_arn)}
        )
