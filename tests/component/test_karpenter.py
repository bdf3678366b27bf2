from __future__ import annotations

import json

import pulumi_kubernetes as k8s

from catalog.charts import HELM_CHARTS
from components.karpenter import Karpenter, KarpenterArgs, NodePoolSpec
from components.karpenter_iam import INTERRUPTION_EVENTS, controller_policy
from tests.component.harness import record
from vocabulary.scheduling import GPU_TAINT

SPEC = NodePoolSpec(
    name="gpu-spot",
    capacity_type="spot",
    instance_families=("g6e",),
    gpu_name="l40s",
    labels={"llm-platform.io/pool": "gpu-spot"},
    taints=(GPU_TAINT.for_kubernetes(),),
    limits={"nvidia.com/gpu": 8},
    weight=80,
    consolidate_after="10m",
    expire_after="720h",
    disk_size_gib=300,
    tags={"llm-platform/pool": "gpu-spot"},
)


def _karpenter():
    def declare():
        provider = k8s.Provider("k8s", kubeconfig="{}")
        k = Karpenter(
            "karpenter",
            KarpenterArgs(
                cluster_name="c1",
                cluster_name_value="c1",
                region="us-east-1",
                zones=("us-east-1a", "us-east-1b"),
                cluster_security_group_id="sg-cluster",
                ami_alias="al2023@v20260714",
                image_volume_device="/dev/xvda",
                crd_chart=HELM_CHARTS["karpenter-crd"],
                chart=HELM_CHARTS["karpenter"],
                node_pools=(SPEC,),
                controller_node_selector={"llm-platform.io/pool": "system"},
                k8s_provider=provider,
            ),
        )
        return {"pools": k.node_pools, "queue": k.queue.name}

    return record(declare)


def _policy() -> dict:
    return controller_policy(
        partition="aws",
        region="us-east-1",
        account="123456789012",
        cluster="c1",
        node_role_arn="arn:aws:iam::123456789012:role/knode",
        queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
    )


def test_controller_policy_scopes_every_write_and_never_allows_star_on_star():
    read_only_prefixes = ("ec2:Describe", "pricing:Get", "iam:List", "arc-zonal-shift:Get")
    for stmt in _policy()["Statement"]:
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        assert "*" not in actions
        if stmt["Resource"] == "*":
            assert all(a.startswith(read_only_prefixes) for a in actions), stmt["Sid"]
    by_sid = {s["Sid"]: s for s in _policy()["Statement"]}
    assert by_sid["AllowPassingInstanceRole"]["Resource"] == "arn:aws:iam::123456789012:role/knode"
    deletion = by_sid["AllowScopedDeletion"]["Condition"]
    assert deletion["StringEquals"] == {"aws:ResourceTag/kubernetes.io/cluster/c1": "owned"}
    assert by_sid["AllowRegionalReadActions"]["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": "us-east-1"}
    }


def test_interruption_queue_receives_every_interruption_event():
    rec = _karpenter()
    queue = rec.one("aws:sqs/queue:Queue")["inputs"]
    assert queue["messageRetentionSeconds"] == 300 and queue["sqsManagedSseEnabled"] is True
    patterns = sorted(
        json.loads(r["inputs"]["eventPattern"])["detail-type"][0]
        for r in rec.of_type("aws:cloudwatch/eventRule:EventRule")
    )
    assert patterns == sorted(p["detail-type"][0] for p in INTERRUPTION_EVENTS.values())
    assert len(rec.of_type("aws:cloudwatch/eventTarget:EventTarget")) == len(INTERRUPTION_EVENTS) == 5
    policy = json.loads(rec.one("aws:sqs/queuePolicy:QueuePolicy")["inputs"]["policy"])
    assert {s.get("Sid") for s in policy["Statement"]} >= {"DenyHTTP"}
    release = next(
        r for r in rec.of_type("kubernetes:helm.sh/v3:Release") if r["inputs"]["name"] == "karpenter"
    )
    assert release["inputs"]["values"]["settings"] == {
        "clusterName": "c1",
        "interruptionQueue": rec.outputs["queue"],
    }


def test_nodes_join_through_an_access_entry_and_find_the_cluster_security_group():
    rec = _karpenter()
    entry = rec.one("aws:eks/accessEntry:AccessEntry")["inputs"]
    assert entry["type"] == "EC2_LINUX" and entry["principalArn"].startswith("arn:aws:iam::")
    tag = rec.one("aws:ec2/tag:Tag")["inputs"]
    assert tag == {"resourceId": "sg-cluster", "key": "karpenter.sh/discovery", "value": "c1"}


def test_controller_runs_on_system_nodes_and_crds_come_from_their_own_chart():
    rec = _karpenter()
    releases = {r["inputs"]["name"]: r for r in rec.of_type("kubernetes:helm.sh/v3:Release")}
    crd, ctl = releases["karpenter-crd"], releases["karpenter"]
    assert crd["inputs"]["chart"] == "oci://public.ecr.aws/karpenter/karpenter-crd"
    assert ctl["inputs"]["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert crd["inputs"]["version"] == ctl["inputs"]["version"] == "1.14.1"
    assert ctl["inputs"]["skipCrds"] is True and crd["urn"] in ctl["dependsOn"]
    assert ctl["inputs"]["values"]["nodeSelector"]["llm-platform.io/pool"] == "system"
    assoc = rec.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")["inputs"]
    assert (assoc["namespace"], assoc["serviceAccount"]) == ("kube-system", "karpenter")


def test_custom_resources_wait_for_their_crds_and_pools_for_their_node_class():
    rec = _karpenter()
    ctl = next(r for r in rec.of_type("kubernetes:helm.sh/v3:Release") if r["inputs"]["name"] == "karpenter")
    (node_class,) = rec.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
    (pool,) = rec.of_type("kubernetes:karpenter.sh/v1:NodePool")
    assert ctl["urn"] in node_class["dependsOn"]
    assert {ctl["urn"], node_class["urn"]} <= set(pool["dependsOn"])


def test_node_class_and_pool_contents():
    rec = _karpenter()
    nc = rec.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")["inputs"]["spec"]
    assert nc["amiSelectorTerms"] == [{"alias": "al2023@v20260714"}]
    assert nc["role"].startswith("karpenter-node-")
    assert (
        nc["metadataOptions"]["httpTokens"] == "required"
        and nc["metadataOptions"]["httpPutResponseHopLimit"] == 1
    )
    assert nc["blockDeviceMappings"][0]["ebs"]["volumeSize"] == "300Gi"
    assert (
        nc["subnetSelectorTerms"]
        == nc["securityGroupSelectorTerms"]
        == [{"tags": {"karpenter.sh/discovery": "c1"}}]
    )
    pool = rec.one("kubernetes:karpenter.sh/v1:NodePool")["inputs"]["spec"]
    assert pool["limits"] == {"nvidia.com/gpu": "8"}
    assert pool["disruption"]["consolidationPolicy"] == "WhenEmpty"
    assert pool["template"]["spec"]["taints"] == [GPU_TAINT.for_kubernetes()]
    reqs = {r["key"]: r["values"] for r in pool["template"]["spec"]["requirements"]}
    assert reqs["karpenter.sh/capacity-type"] == ["spot"]
    assert reqs["karpenter.k8s.aws/instance-gpu-name"] == ["l40s"]
    assert reqs["topology.kubernetes.io/zone"] == ["us-east-1a", "us-east-1b"]
