"""Where the cost report's prices come from: the offline table (default) or AWS's own APIs (`--live-prices`).

Both answer the same two questions per (region, instance type): the on-demand Linux price and the spot price,
in USD per hour, or None when unknown (the report then says "n/a"). The fixed hourly charges (EKS control
plane, NAT gateways) are the same for both sources: catalog/prices.py.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.prices import (
    PINNED_REGIONS,
    PRICE_SOURCE,
    SYSTEM_ON_DEMAND_USD_PER_HOUR,
    SYSTEM_PRICE_SOURCE,
    on_demand_price,
    spot_price_estimate,
)
from catalog.region_prices import SOURCE as REGION_PRICE_SOURCE

PRICING_API_REGION = "us-east-1"  # the Price List API's endpoint; it prices every region
SPOT_PRODUCT = "Linux/UNIX"
# Errors that will repeat for every instance type: stop asking that API and use the table.
GIVE_UP_CODES = frozenset(
    {"AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "ExpiredToken", "ExpiredTokenException",
     "UnrecognizedClientException", "InvalidClientTokenId"}
)  # fmt: skip


class PriceSource(Protocol):
    """USD per hour for one instance type in one region; None when this source does not know it."""

    description: str  # printed in the report: where and when the prices were read
    warnings: list[str]  # look-ups that fell back or failed, for the report

    def description_for(self, region: str) -> str: ...

    def on_demand(self, region: str, instance_type: str) -> float | None: ...

    def spot(self, region: str, instance_type: str) -> float | None: ...


@dataclass
class TablePrices:
    """The offline table: catalog/prices.py for GPU types (spot = on-demand x SPOT_FRACTION of the family) and
    for the system node group's CPU types. Deterministic: the report it prices diffs cleanly."""

    description: str = f"{PRICE_SOURCE}; CPU types: {SYSTEM_PRICE_SOURCE}"
    warnings: list[str] = field(default_factory=list)

    def description_for(self, region: str) -> str:
        """The regions priced by hand name their sources; the others' prices all come from the generated table
        (catalog/region_prices.py), which says so."""
        if region in PINNED_REGIONS:
            return self.description
        return f"{REGION_PRICE_SOURCE} (on-demand, GPU and CPU types; spot estimated from it)"

    def on_demand(self, region: str, instance_type: str) -> float | None:
        price = on_demand_price(region, instance_type)
        if price is None:
            price = SYSTEM_ON_DEMAND_USD_PER_HOUR.get(region, {}).get(instance_type)
        return price

    def spot(self, region: str, instance_type: str) -> float | None:
        return spot_price_estimate(region, instance_type)


class LivePrices:
    """Prices read from AWS now: the Price List API for on-demand, EC2 spot price history for spot.

    Spot is the median over Availability Zones (the stack's own, when given and priced) of each zone's latest
    price. Every answer is cached per (region, instance type). A failed look-up falls back to `fallback` (the
    offline table) for that instance type only, with a warning; a broken connection or missing permission stops
    further calls to that API instead of repeating the same error for every type.
    """

    def __init__(
        self,
        session: Any,
        *,
        zones: Sequence[str] = (),
        fallback: PriceSource | None = None,
        now: datetime | None = None,
    ):
        self._session = session
        self._zones = tuple(zones)
        self._fallback = fallback or TablePrices()
        self._now = now or datetime.now(UTC)
        self._clients: dict[tuple[str, str], Any] = {}
        self._on_demand: dict[tuple[str, str], float | None] = {}
        self._spot: dict[tuple[str, str], float | None] = {}
        self._broken: set[str] = set()  # APIs no longer called: no connection, or no permission
        self.warnings: list[str] = []
        self.description = (
            "AWS Price List API (on-demand) and EC2 spot price history (median of the zones' current prices), "
            f"fetched {self._now.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        )

    def description_for(self, region: str) -> str:
        return self.description

    def on_demand(self, region: str, instance_type: str) -> float | None:
        key = (region, instance_type)
        if key not in self._on_demand:
            self._on_demand[key] = self._ask(
                "Price List API", region, instance_type, self._fetch_on_demand, self._fallback.on_demand
            )
        return self._on_demand[key]

    def spot(self, region: str, instance_type: str) -> float | None:
        key = (region, instance_type)
        if key not in self._spot:
            self._spot[key] = self._ask(
                "EC2 spot price history", region, instance_type, self._fetch_spot, self._fallback.spot
            )
        return self._spot[key]

    def _ask(
        self,
        api: str,
        region: str,
        instance_type: str,
        fetch: Callable[[str, str], float | None],
        fallback: Callable[[str, str], float | None],
    ) -> float | None:
        from botocore.exceptions import BotoCoreError, ClientError

        if api in self._broken:
            return fallback(region, instance_type)
        try:
            price = fetch(region, instance_type)
            if price is not None:
                return price
            reason = "no price listed"
        except ClientError as err:
            error = err.response.get("Error", {})
            reason = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
            if error.get("Code") in GIVE_UP_CODES:
                return self._give_up(api, reason, region, instance_type, fallback)
        except BotoCoreError as err:  # no connection, no usable credentials after all, ...
            return self._give_up(api, str(err), region, instance_type, fallback)
        except (ValueError, KeyError, TypeError) as err:  # an answer we cannot read
            reason = f"unreadable answer ({type(err).__name__}: {err})"
        table = fallback(region, instance_type)
        self.warnings.append(
            f"{api}: {instance_type} in {region}: {reason}; "
            + (
                "using the offline table's price"
                if table is not None
                else "the offline table has no price either"
            )
        )
        return table

    def _give_up(
        self,
        api: str,
        reason: str,
        region: str,
        instance_type: str,
        fallback: Callable[[str, str], float | None],
    ) -> float | None:
        self._broken.add(api)
        self.warnings.append(
            f"{api}: {reason}; the offline table prices every instance type it was asked for"
        )
        return fallback(region, instance_type)

    def _client(self, service: str, region: str) -> Any:
        if (service, region) not in self._clients:
            from botocore.config import Config

            # Fail fast: a plan must not hang on an unreachable endpoint; the table is a fine answer.
            config = Config(
                connect_timeout=5, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"}
            )
            self._clients[(service, region)] = self._session.client(
                service, region_name=region, config=config
            )
        return self._clients[(service, region)]

    def _fetch_on_demand(self, region: str, instance_type: str) -> float | None:
        terms = {
            "instanceType": instance_type,
            "regionCode": region,
            "operatingSystem": "Linux",
            "tenancy": "Shared",
            "preInstalledSw": "NA",
            "capacitystatus": "Used",
            "licenseModel": "No License required",
        }
        response = self._client("pricing", PRICING_API_REGION).get_products(
            ServiceCode="AmazonEC2",
            Filters=[{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in terms.items()],
            MaxResults=100,
        )
        return on_demand_from_price_list(response.get("PriceList", []))

    def _fetch_spot(self, region: str, instance_type: str) -> float | None:
        pages = (
            self._client("ec2", region)
            .get_paginator("describe_spot_price_history")
            .paginate(InstanceTypes=[instance_type], ProductDescriptions=[SPOT_PRODUCT], StartTime=self._now)
        )
        return spot_from_history(
            (item for page in pages for item in page.get("SpotPriceHistory", [])), self._zones
        )


def on_demand_from_price_list(price_list: Iterable[str | Mapping[str, Any]]) -> float | None:
    """The hourly USD price in a get_products PriceList (JSON strings): terms.OnDemand.*.priceDimensions.*.

    Capacity Blocks are listed beside on-demand for some types (marketoption); they are not on-demand prices.
    Several matching products (rare) give the lowest price."""
    prices: list[float] = []
    for raw in price_list:
        item = json.loads(raw) if isinstance(raw, str) else raw
        market = item.get("product", {}).get("attributes", {}).get("marketoption", "OnDemand")
        if market != "OnDemand":
            continue
        for term in item.get("terms", {}).get("OnDemand", {}).values():
            for dim in term.get("priceDimensions", {}).values():
                usd = float(dim["pricePerUnit"]["USD"])
                if dim.get("unit", "Hrs") == "Hrs" and usd > 0:
                    prices.append(usd)
    return min(prices) if prices else None


def spot_from_history(history: Iterable[Mapping[str, Any]], zones: Sequence[str] = ()) -> float | None:
    """Median over zones of each zone's latest spot price; only `zones` when any of them is priced."""
    latest: dict[str, Mapping[str, Any]] = {}
    for item in history:
        zone = item["AvailabilityZone"]
        if zone not in latest or item["Timestamp"] > latest[zone]["Timestamp"]:
            latest[zone] = item
    wanted = {z: i for z, i in latest.items() if z in zones} or latest
    if not wanted:
        return None
    return statistics.median(float(i["SpotPrice"]) for i in wanted.values())


def select_prices(
    live: bool, *, zones: Sequence[str] = (), session_factory: Callable[[], Any] | None = None
) -> PriceSource:
    """The offline table, or live prices when asked for and AWS credentials exist (else the table, warned)."""
    if not live:
        return TablePrices()
    import boto3  # only for live prices: the offline plan does not pay the AWS SDK's import time

    session = (session_factory or boto3.Session)()
    if session.get_credentials() is None:
        return TablePrices(
            warnings=[
                "live prices were requested but no AWS credentials were found (aws sso login, AWS_PROFILE, "
                "AWS_ACCESS_KEY_ID, ...): priced with the offline table instead"
            ]
        )
    return LivePrices(session, zones=zones)
