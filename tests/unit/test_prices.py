"""Price sources: the offline table, and live prices read through real boto3 clients stubbed with botocore's
Stubber (no network, no credentials)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from catalog.prices import ON_DEMAND_USD_PER_HOUR, SPOT_FRACTION
from cost.sources import (
    SPOT_PRODUCT,
    LivePrices,
    TablePrices,
    on_demand_from_price_list,
    select_prices,
    spot_from_history,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}


def product(instance_type: str, region: str, usd: str, market: str = "OnDemand") -> str:
    """One get_products PriceList entry, shaped as the Price List API returns it (a JSON string)."""
    sku = "7ZB5N5XNE6G9RWHA"
    return json.dumps(
        {
            "product": {
                "productFamily": "Compute Instance",
                "attributes": {
                    "instanceType": instance_type,
                    "regionCode": region,
                    "operatingSystem": "Linux",
                    "tenancy": "Shared",
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                    "licenseModel": "No License required",
                    "marketoption": market,
                    "gpu": "1",
                    "vcpu": "4",
                },
                "sku": sku,
            },
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "Hrs",
                                "endRange": "Inf",
                                "description": f"${usd} per On Demand Linux {instance_type} Instance Hour",
                                "appliesTo": [],
                                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7",
                                "beginRange": "0",
                                "pricePerUnit": {"USD": usd},
                            }
                        },
                        "sku": sku,
                        "effectiveDate": "2026-11-01T00:00:00Z",
                        "offerTermCode": "JRTCKXETXF",
                        "termAttributes": {},
                    }
                }
            },
            "version": "20261101000000",
            "publicationDate": "2026-11-01T00:00:00Z",
        }
    )


def products_params(instance_type: str, region: str) -> dict:
    terms = {"instanceType": instance_type, "regionCode": region, **FILTERS}
    return {
        "ServiceCode": "AmazonEC2",
        "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in terms.items()],
        "MaxResults": 100,
    }


def spot_params(instance_type: str, **extra) -> dict:
    return {
        "InstanceTypes": [instance_type],
        "ProductDescriptions": [SPOT_PRODUCT],
        "StartTime": NOW,
        **extra,
    }


def spot_item(zone: str, price: str, minutes_ago: int, instance_type: str = "g6.xlarge") -> dict:
    return {
        "AvailabilityZone": zone,
        "InstanceType": instance_type,
        "ProductDescription": SPOT_PRODUCT,
        "SpotPrice": price,
        "Timestamp": NOW - timedelta(minutes=minutes_ago),
    }


class FakeSession:
    """Hands out pre-built (stubbed) clients the way boto3.Session.client would build them."""

    def __init__(self, clients: dict[tuple[str, str], object]):
        self.clients = clients
        self.asked: list[tuple[str, str]] = []

    def client(self, service: str, region_name: str, config=None):
        self.asked.append((service, region_name))
        return self.clients[(service, region_name)]


def client(service: str, region: str):
    return boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture
def stubbed():
    pricing, ec2 = client("pricing", "us-east-1"), client("ec2", "us-west-2")
    with Stubber(pricing) as p, Stubber(ec2) as e:
        session = FakeSession({("pricing", "us-east-1"): pricing, ("ec2", "us-west-2"): ec2})
        yield session, p, e
        p.assert_no_pending_responses()
        e.assert_no_pending_responses()


# --- the offline table -------------------------------------------------------------------------------------


def test_table_prices_gpu_types_from_the_catalog_and_cpu_types_beside_it():
    t = TablePrices()
    assert t.on_demand("us-west-2", "g6.xlarge") == ON_DEMAND_USD_PER_HOUR["us-west-2"]["g6.xlarge"] == 0.8048
    assert t.spot("us-west-2", "g6.xlarge") == pytest.approx(0.8048 * SPOT_FRACTION["g6"])
    assert t.on_demand("us-east-1", "m7i.xlarge") == 0.2016  # the system node group's type
    assert t.spot("us-east-1", "m7i.xlarge") is None  # no spot fraction for CPU families: never guessed
    assert t.on_demand("eu-west-1", "g6.xlarge") is None
    assert t.on_demand("us-east-1", "p5e.48xlarge") is None  # Capacity Blocks only
    assert "2026-07" in t.description and t.warnings == []


# --- parsing the APIs' answers -----------------------------------------------------------------------------


def test_price_list_parsing_reads_the_hourly_on_demand_dimension_and_skips_capacity_blocks():
    assert on_demand_from_price_list([product("g6.xlarge", "us-west-2", "0.8048000000")]) == 0.8048
    blocks = product("p5.48xlarge", "us-east-1", "31.4640000000", market="CapacityBlock")
    assert on_demand_from_price_list([blocks, product("p5.48xlarge", "us-east-1", "55.0400000000")]) == 55.04
    assert on_demand_from_price_list([blocks]) is None
    assert on_demand_from_price_list([]) is None


def test_spot_is_the_median_of_each_zones_latest_price_preferring_the_stacks_zones():
    history = [
        spot_item("us-west-2a", "0.3100", 5),
        spot_item("us-west-2a", "0.9000", 300),  # older price of the same zone: ignored
        spot_item("us-west-2b", "0.3500", 60),
        spot_item("us-west-2c", "0.5000", 10),
        spot_item("us-west-2d", "0.4100", 2),
    ]
    assert spot_from_history(history) == pytest.approx((0.35 + 0.41) / 2)
    assert spot_from_history(history, zones=["us-west-2a", "us-west-2b"]) == pytest.approx((0.31 + 0.35) / 2)
    assert spot_from_history(history, zones=["us-west-2z"]) == pytest.approx((0.35 + 0.41) / 2)  # none priced
    assert spot_from_history([]) is None


# --- live prices through stubbed clients -------------------------------------------------------------------


def test_live_on_demand_asks_the_price_list_api_once_per_type(stubbed):
    session, pricing, _ = stubbed
    pricing.add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": [product("g6.xlarge", "us-west-2", "0.8048000000")]},
        products_params("g6.xlarge", "us-west-2"),
    )
    live = LivePrices(session, now=NOW)
    assert live.on_demand("us-west-2", "g6.xlarge") == 0.8048
    assert live.on_demand("us-west-2", "g6.xlarge") == 0.8048  # cached: the stub holds one answer only
    assert session.asked == [("pricing", "us-east-1")]  # the Price List API lives in us-east-1
    assert live.warnings == []
    assert "fetched 2026-11-23T12:00:00Z" in live.description


def test_live_spot_reads_every_page_of_the_history_in_the_stacks_region(stubbed):
    session, _, ec2 = stubbed
    ec2.add_response(
        "describe_spot_price_history",
        {"SpotPriceHistory": [spot_item("us-west-2a", "0.3200", 3)], "NextToken": "page-2"},
        spot_params("g6.xlarge"),
    )
    ec2.add_response(
        "describe_spot_price_history",
        {"SpotPriceHistory": [spot_item("us-west-2b", "0.3600", 9), spot_item("us-west-2c", "0.5200", 1)]},
        spot_params("g6.xlarge", NextToken="page-2"),
    )
    live = LivePrices(session, zones=["us-west-2a", "us-west-2b"], now=NOW)
    assert live.spot("us-west-2", "g6.xlarge") == pytest.approx(0.34)  # median of the stack's two zones
    assert live.spot("us-west-2", "g6.xlarge") == pytest.approx(0.34)  # cached
    assert live.warnings == []


def test_a_failed_look_up_falls_back_to_the_table_for_that_type_only(stubbed):
    session, pricing, ec2 = stubbed
    pricing.add_client_error(
        "get_products",
        service_error_code="ThrottlingException",
        service_message="Rate exceeded",
        http_status_code=400,
        expected_params=products_params("g6.xlarge", "us-west-2"),
    )
    pricing.add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": [product("g6.2xlarge", "us-west-2", "0.9800000000")]},
        products_params("g6.2xlarge", "us-west-2"),
    )
    pricing.add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": []},
        products_params("g6.4xlarge", "us-west-2"),
    )
    ec2.add_client_error(
        "describe_spot_price_history",
        service_error_code="InvalidParameterValue",
        service_message="bad instance type",
        http_status_code=400,
        expected_params=spot_params("g6.xlarge"),
    )
    live = LivePrices(session, now=NOW)
    assert live.on_demand("us-west-2", "g6.xlarge") == 0.8048  # the table's
    assert live.on_demand("us-west-2", "g6.2xlarge") == 0.98  # the API is still asked for the next type
    assert live.on_demand("us-west-2", "g6.4xlarge") == 1.3232  # not listed: the table's
    assert live.spot("us-west-2", "g6.xlarge") == pytest.approx(0.8048 * SPOT_FRACTION["g6"])
    assert len(live.warnings) == 3
    assert (
        "ThrottlingException: Rate exceeded" in live.warnings[0]
        and "g6.xlarge in us-west-2" in live.warnings[0]
    )
    assert "no price listed" in live.warnings[1]
    assert live.warnings[2].startswith(
        "EC2 spot price history: g6.xlarge in us-west-2: InvalidParameterValue"
    )


def test_no_permission_stops_asking_that_api_and_warns_once(stubbed):
    session, pricing, _ = stubbed
    pricing.add_client_error(
        "get_products",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: pricing:GetProducts",
        http_status_code=400,
    )
    live = LivePrices(session, now=NOW)
    assert live.on_demand("us-west-2", "g6.xlarge") == 0.8048
    assert live.on_demand("us-west-2", "g6.2xlarge") == 0.9776  # no second call: the stub has no answer left
    assert live.on_demand("us-west-2", "p5e.48xlarge") is None
    assert len(live.warnings) == 1 and "AccessDeniedException" in live.warnings[0]


def test_an_unreadable_answer_falls_back_too(stubbed):
    session, pricing, _ = stubbed
    broken = json.loads(product("g6.xlarge", "us-west-2", "0.8048"))
    del broken["terms"]["OnDemand"]["7ZB5N5XNE6G9RWHA.JRTCKXETXF"]["priceDimensions"][
        "7ZB5N5XNE6G9RWHA.JRTCKXETXF.6YS6EN2CT7"
    ]["pricePerUnit"]
    pricing.add_response("get_products", {"PriceList": [json.dumps(broken)]})
    live = LivePrices(session, now=NOW)
    assert live.on_demand("us-west-2", "g6.xlarge") == 0.8048
    assert "unreadable answer" in live.warnings[0]


# --- choosing the source -----------------------------------------------------------------------------------


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    """An environment where the SDK finds no credentials, and never asks the instance metadata service."""
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_offline_by_default():
    assert isinstance(select_prices(False), TablePrices)


def test_live_without_credentials_warns_and_uses_the_table(no_aws_credentials):
    assert boto3.Session().get_credentials() is None
    prices = select_prices(True)
    assert isinstance(prices, TablePrices)
    assert len(prices.warnings) == 1 and "no AWS credentials" in prices.warnings[0]


def test_live_with_credentials_asks_aws(no_aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    prices = select_prices(True, zones=["us-east-1a"])
    assert isinstance(prices, LivePrices)  # nothing is asked until a price is needed
    assert prices.warnings == []
