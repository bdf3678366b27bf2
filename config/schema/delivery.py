"""How a stack is delivered: `delivery` (its turn and its GitHub environment when CI deploys main) and
`repository` (the repository it is delivered from, whose docs/runbooks.md every alert links).

The program itself reads `repository` only; `delivery` is read by the workflows' first job
(`python -m delivery matrix`). Both live in the stack file because that is the one place a stack's data lives:
adding `Pulumi.<name>.yaml` adds the environment everywhere, with no other edit.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from config.schema.base import HOST_LABEL, Section, at_key, pattern, split_plain_url

REPOSITORY_URL_EXAMPLE = "https://github.com/your-org/llm-platform"


def _url_problem(url: str) -> str | None:
    """What keeps `url` from being a repository's web address that a link can be appended to, or None."""
    parts, problem = split_plain_url(url, "address")
    if parts is None:
        return problem
    # Alertmanager, Slack and PagerDuty open runbook_url as written: a relative path leads nowhere, and http://
    # is refused or redirected by every code host.
    if parts.scheme != "https":
        return "must be an absolute https:// address: alerts carry the link as written"
    hosts = (parts.hostname or "").split(".")
    if len(hosts) < 2 or not all(HOST_LABEL.match(label) for label in hosts):
        return "needs a host name, e.g. github.com"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "has a query or fragment: runbook links append /blob/<branch>/docs/runbooks.md#<alert> to it"
    if url.endswith("/") or parts.path.endswith(".git"):
        return "is a clone URL or ends with '/': give the repository's web address, without '.git' or '/'"
    if len([p for p in parts.path.split("/") if p]) < 2:
        return "names no repository: give https://<host>/<owner>/<repository>"
    return None


def _repository_url(url: str) -> str:
    # A URL with credentials is refused by RepositoryConfig, whose message does not quote it (a field's error
    # would: config/issue_messages.py adds the value given).
    problem = None if "@" in urlsplit(url).netloc else _url_problem(url)
    if problem:
        raise ValueError(f"{problem}; e.g. {REPOSITORY_URL_EXAMPLE}")
    return url


class RepositoryConfig(Section):
    """`llm-platform:repository` — the repository this stack is delivered from."""

    url: Annotated[str, AfterValidator(_repository_url)] = Field(
        examples=[REPOSITORY_URL_EXAMPLE],
        description="The repository's web address, https://<host>/<owner>/<repository>: every alert's "
        "runbook_url is <url>/blob/main/docs/runbooks.md#<alert name, lower-case> (main: the branch CI "
        "deploys), so the link opens from Alertmanager, Slack or a pager.",
    )

    @model_validator(mode="after")
    def _no_credentials(self) -> RepositoryConfig:
        if "@" in urlsplit(self.url).netloc:
            # Every PrometheusRule carries the address in clear: in the cluster, in Pulumi's state, in alerts.
            raise at_key(
                "url",
                "holds credentials (user[:password]@), which every alert would show: give the web address "
                f"without them, e.g. {REPOSITORY_URL_EXAMPLE}",
            )
        return self


# GitHub environment names: at most 255 characters; these are also the OIDC subject's last part
# (repo:<owner>/<repo>:environment:<name>), so they stay to characters no trust policy has to escape.
GitHubEnvironment = Annotated[
    str,
    Field(
        pattern=pattern(
            r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$",
            "letters, digits, '.', '_' or '-', starting with a letter or digit (a GitHub environment name)",
            "production",
        )
    ),
]


class DeliveryConfig(Section):
    """`llm-platform:delivery` — how CI deploys this stack on a push to main (.github/workflows/deploy.yml)."""

    order: int = Field(
        0,
        ge=0,
        le=1000,
        description="This stack's turn: stacks deploy one at a time, lowest order first (equal orders in the "
        "order of their names), and a stack deploys only when every stack before it succeeded. "
        "Give production the highest.",
    )
    environment: GitHubEnvironment | None = Field(
        None,
        examples=["production"],
        description="The GitHub environment `pulumi up` runs in: it holds the deploy token and its "
        "protection rules (required reviewers for production), and the deploy role trusts its OIDC subject. "
        'Absent: the stack\'s name. Previews run in `preview-<stack>` (README "Add an environment").',
    )
