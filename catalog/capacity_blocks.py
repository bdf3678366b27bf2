"""The instance types EC2 Capacity Blocks for ML offer: a Capacity Block on any other type cannot be bought, so a
pool that names one could never launch a node (EKS refuses CAPACITY_BLOCK on it only at `pulumi up`).

Source: the Amazon EC2 User Guide, "Capacity Blocks for ML" (docs.aws.amazon.com/AWSEC2/latest/UserGuide/
ec2-capacity-blocks.html, "Supported instance types and Regions"), read 2026-12: p4d.24xlarge, p5.48xlarge,
p5e.48xlarge, p5en.48xlarge, trn1.32xlarge and trn2.48xlarge; with p4de.24xlarge and p6-b200.48xlarge, which the
same service's reserved-capacity instance list carries (the SageMaker API's ReservedCapacityInstanceType, which
lists every EC2 type above). UltraServer blocks (p6e-gb200, trn2u) reserve whole UltraServers and are left out.
Which regions sell each type changes often: the page lists them, and `aws ec2 describe-capacity-block-offerings
--instance-type <type>` answers for a region. Only the GPU types among these are in catalog/gpus.py (Trainium
needs the Neuron SDK, not vLLM's CUDA build): the others are listed so the table reads as the source does.
"""

from __future__ import annotations

CAPACITY_BLOCK_SOURCE = (
    'Amazon EC2 User Guide, "Capacity Blocks for ML", supported instance types (read 2026-12)'
)

CAPACITY_BLOCK_TYPES: frozenset[str] = frozenset(
    {
        "p4d.24xlarge",
        "p4de.24xlarge",
        "p5.48xlarge",
        "p5e.48xlarge",
        "p5en.48xlarge",
        "p6-b200.48xlarge",
        "trn1.32xlarge",
        "trn2.48xlarge",
    }
)
