"""template.yaml (AWS SAM) keeps up with the code: cfn-lint finds nothing, every deployable
function is a Lambda with its handler, every route each app serves reaches it, and the
table, stream consumers, buckets and policies keep the promises the README makes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml
from portal_testing import PortalPaths

from core.settings import PROJECT_ROOT
from functions.app import FUNCTIONS, create_app
from functions.store.dynamodb import layout

TEMPLATE = PROJECT_ROOT / "template.yaml"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5ccc6cde3b"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CATCH_ALL = ("ANY", "/api/{proxy+}")
# Served by every app, but one route can reach only one function.
EVERY_APP = {("GET", "/api/openapi.json")}
TABLE_POLICIES = {"DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBStreamReadPolicy"}
BUCKET_POLICIES = {"S3ReadPolicy", "S3CrudPolicy"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn_yaml.load(str(TEMPLATE))  # reads !Ref, !GetAtt, !Sub as Ref, Fn::GetAtt, ...


@pytest.fixture(scope="module")
def resources(template) -> dict[str, Any]:
    return template["Resources"]


def functions_of(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def api_function(properties: dict[str, Any]) -> str | None:
    """The FUNCTIONS entry a Lambda serves, from its handler (None: not an API function)."""
    name = properties["Handler"].removeprefix("functions.lambda_handlers.")
    return name if name in FUNCTIONS else None


def routes(resources: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(method, path) -> the FUNCTIONS entry whose Lambda the HTTP API sends it to."""
    routed: dict[tuple[str, str], str] = {}
    for properties in functions_of(resources).values():
        for event in properties.get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            route = (event["Properties"]["Method"], event["Properties"]["Path"])
            assert event["Properties"]["ApiId"] == {"Ref": "Api"}
            assert route not in routed, f"{route} is routed twice"
            routed[route] = api_function(properties)
    return routed


def buckets_named(properties: dict[str, Any]) -> set[str]:
    """The buckets a function's policy templates name."""
    return {
        arguments["BucketName"]["Ref"]
        for policy in properties.get("Policies", [])
        for kind, arguments in policy.items()
        if kind in BUCKET_POLICIES
    }


def statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every IAM statement anywhere under ``node`` (inline policies, bucket policies)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                yield from value if isinstance(value, list) else [value]
            else:
                yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


def test_cfn_lint_finds_nothing():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr  # no error nor warning
    assert not result.stdout.strip()


def test_a_lambda_for_every_function_with_its_handler(resources):
    served = [api_function(p) for p in functions_of(resources).values() if "HttpApi" in str(p)]
    assert sorted(served) == sorted(FUNCTIONS)
    for name in FUNCTIONS:
        properties = resources[f"{name.capitalize()}Function"]["Properties"]
        assert properties["Handler"] == f"functions.lambda_handlers.{name}"


def test_every_route_of_every_app_reaches_the_function_that_serves_it(tmp_path, resources):
    settings = PortalPaths.under(tmp_path).settings()
    served: dict[tuple[str, str], set[str]] = {}
    for name in FUNCTIONS:
        app = create_app(settings, function=name)
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            path = re.sub(r"<\w+:(\w+)>", r"{\1}", rule.rule)  # <id:id> -> {id}
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.setdefault((method, path), set()).add(name)
        app.extensions["portal_store"].close()
    routed = routes(resources)
    assert routed.pop(CATCH_ALL) == "health"  # what no function serves: a 404 problem
    assert set(routed) == set(served), "routes and the apps' URL maps differ"
    for route, function in routed.items():
        assert function in served[route], f"{route} goes to {function}, not {served[route]}"
        if route not in EVERY_APP:
            assert served[route] == {function}


def test_the_table_keeps_history_forgets_expired_items_and_streams(resources):
    [table] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["SSESpecification"]["SSEEnabled"] is True
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    indexes = {i["IndexName"]: i["KeySchema"] for i in table["GlobalSecondaryIndexes"]}
    assert {"GSI1", "Leaderboard"} <= set(indexes)
    [board_sort] = [k["AttributeName"] for k in indexes["Leaderboard"] if k["KeyType"] == "RANGE"]
    assert types[board_sort] == "N"  # points, read highest first
    assert resources["Table"]["DeletionPolicy"] == "Retain"


def test_the_table_is_the_shape_the_store_checks_for(resources):
    """The template's table and `portal store init`'s are one shape (the store refuses others)."""
    table = resources["Table"]["Properties"]
    description = {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": table["AttributeDefinitions"],
        "GlobalSecondaryIndexes": table["GlobalSecondaryIndexes"],
    }
    assert layout.shape_problem(description, "Table") is None
    for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"):
        assert table[key] == layout.SHAPE[key], key
    assert table["TimeToLiveSpecification"]["AttributeName"] == layout.TTL_ATTRIBUTE


def test_the_consumers_run_from_the_stream_and_the_indexer_alone(resources):
    functions = functions_of(resources)
    by_handler = {p["Handler"]: p for p in functions.values()}
    consumers = by_handler["functions.stream.handler"]
    indexer = by_handler["portal.aws_indexer.handler"]
    assert indexer["ReservedConcurrentExecutions"] == 1
    assert "ReservedConcurrentExecutions" not in consumers
    assert consumers["Events"]["Retries"]["Type"] == "Schedule"  # mail that failed
    for function in (consumers, indexer):
        event = function["Events"]["Stream"]
        assert event["Type"] == "DynamoDB"
        source = event["Properties"]
        assert source["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
        assert source["StartingPosition"] == "TRIM_HORIZON"
        assert source["BisectBatchOnFunctionError"] is True
        assert 0 < source["MaximumRetryAttempts"] <= 10
        [only] = source["FilterCriteria"]["Filters"]
        assert json.loads(only["Pattern"])["dynamodb"]["Keys"]["PK"] == {
            "S": [{"prefix": layout.EVENT_PREFIX}]
        }  # only new events wake them
        failures = source["DestinationConfig"]["OnFailure"]
        assert failures["Destination"] == {"Fn::GetAtt": ["StreamDeadLetters", "Arn"]}
        assert resources["StreamDeadLetters"]["Type"] == "AWS::SQS::Queue"


def test_no_policy_allows_every_resource(resources):
    for name, resource in resources.items():
        for statement in statements(resource.get("Properties", {})):
            if statement["Effect"] == "Allow":
                listed = statement["Resource"]
                assert "*" not in (listed if isinstance(listed, list) else [listed]), name


def test_each_function_names_its_table_and_buckets(resources):
    for name, properties in functions_of(resources).items():
        for policy in properties.get("Policies", []):
            [(kind, arguments)] = policy.items()
            if kind in TABLE_POLICIES:
                assert arguments["TableName"] == {"Ref": "Table"}, name
            elif kind in BUCKET_POLICIES:
                assert arguments["BucketName"]["Ref"].endswith("Bucket"), name
            elif kind == "SQSSendMessagePolicy":
                assert "StreamDeadLetters" in arguments["QueueName"]["Fn::GetAtt"], name
            else:
                assert kind == "Statement" and name == "IndexerFunction", f"{name}: {kind}"
                [invalidation] = arguments
                assert invalidation["Action"] == "cloudfront:CreateInvalidation"
                assert "${Distribution}" in invalidation["Resource"]["Fn::Sub"]
    metrics = functions_of(resources)["MetricsFunction"]["Policies"]
    assert {"DynamoDBReadPolicy": {"TableName": {"Ref": "Table"}}} in metrics  # reads only


def test_only_the_distribution_reads_the_site_bucket(resources):
    site = resources["SiteBucket"]["Properties"]
    assert all(site["PublicAccessBlockConfiguration"].values())
    policy = resources["SiteBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "SiteBucket"}
    for statement in policy["PolicyDocument"]["Statement"]:
        if statement["Effect"] == "Allow":
            assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
            source = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
            assert source.endswith(":distribution/${Distribution}")
    writers = [
        name
        for name, properties in functions_of(resources).items()
        if "SiteBucket" in buckets_named(properties)
    ]
    assert writers == ["IndexerFunction"]  # the publisher of promoted answers
    for bucket in ("SiteBucket", "ContentBucket", "IndexBucket"):
        properties = resources[bucket]["Properties"]
        assert all(properties["PublicAccessBlockConfiguration"].values()), bucket
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"], bucket


def test_cloudfront_serves_the_site_through_oac_and_passes_api_uncached(resources):
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    site = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert site["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert site["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccess", "Id"]}
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["Compress"] is True
    [api] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert "${Api}" in origins[api["TargetOriginId"]]["DomainName"]["Fn::Sub"]
    # Error pages would apply to /api/* too and hide its problem documents.
    assert "CustomErrorResponses" not in config


def test_outputs_name_what_a_deploy_needs(template):
    outputs = set(template["Outputs"])
    assert {"ApiUrl", "DistributionDomain", "DistributionId", "TableName"} <= outputs
    assert {"SiteBucket", "ContentBucket", "IndexBucket"} <= outputs
