"""Values that only ever stand for a real one: AWS's documentation account ids, its documentation bucket names,
the IPv4 ranges RFC 5737 reserves for documentation and the host names RFC 2606 reserves. A stack that still holds one plans offline but breaks
its first real `pulumi up` half way: EKS refuses an access entry for a role that does not exist, nothing outside
a documentation range can reach an API endpoint that only admits one (every Kubernetes resource then times
out), and a model whose weights are in a bucket nobody can create never starts."""

from __future__ import annotations

from ipaddress import IPv4Network
from urllib.parse import urlsplit

# AWS's documentation uses these account ids in examples (IAM and Organizations user guides).
DOCUMENTATION_ACCOUNTS = frozenset({"123456789012", "111122223333", "444455556666", "777788889999"})
# Amazon S3 user guide, "General purpose bucket naming rules": bucket names must not start with this prefix,
# which the AWS documentation's examples use (amzn-s3-demo-bucket).
DOCUMENTATION_BUCKET_PREFIX = "amzn-s3-demo-"
# RFC 5737 section 3: TEST-NET-1, TEST-NET-2 and TEST-NET-3, for documentation only.
DOCUMENTATION_NETWORKS = (
    IPv4Network("192.0.2.0/24"),
    IPv4Network("198.51.100.0/24"),
    IPv4Network("203.0.113.0/24"),
)


# RFC 2606: second-level domains for examples (section 3) and top-level domains no registry delegates (section 2).
DOCUMENTATION_DOMAINS = ("example.com", "example.net", "example.org")
DOCUMENTATION_TLDS = ("example", "test", "invalid", "localhost")


def is_documentation_url(url: str) -> bool:
    """A URL whose host is one RFC 2606 reserves: a link to it opens nothing."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host.rsplit(".", 1)[-1] in DOCUMENTATION_TLDS or any(
        host == d or host.endswith(f".{d}") for d in DOCUMENTATION_DOMAINS
    )


def is_documentation_account(arn: str) -> bool:
    """An ARN whose account field is a documentation account (arn:partition:service:region:ACCOUNT:…)."""
    parts = arn.split(":")
    return len(parts) > 4 and parts[4] in DOCUMENTATION_ACCOUNTS


def is_documentation_network(cidr: str | IPv4Network) -> bool:
    try:
        net = IPv4Network(str(cidr), strict=False)
    except ValueError:
        return False
    return any(net.subnet_of(doc) for doc in DOCUMENTATION_NETWORKS)


def is_documentation_bucket(uri: str) -> bool:
    """An s3:// URI (or a bare bucket name) in a bucket no account can create."""
    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    return bucket.startswith(DOCUMENTATION_BUCKET_PREFIX)
