"""`CallQA_Results` and `CallQA_Reviews` under moto, built from `contracts.results_table` as the
stacks build them: keys, every index, and each index's projection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts import results_table as contract


def create_results_table(
    dynamodb: Any,
    name: str = contract.TABLE_NAME,
    include_only: Mapping[str, Sequence[str]] = contract.INCLUDE_ONLY,
) -> Any:
    """`include_only`: the indexes that carry only some attributes, and which (any other index
    carries every attribute)."""
    key_names = {contract.CALL_ID} | {k for keys in contract.INDEXES.values() for k in keys}
    indexes = []
    for index, (partition, sort) in contract.INDEXES.items():
        projection: dict[str, Any] = {"ProjectionType": "ALL"}
        if index in include_only:
            projection = {
                "ProjectionType": "INCLUDE",
                "NonKeyAttributes": list(include_only[index]),
            }
        indexes.append(
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": sort, "KeyType": "RANGE"},
                ],
                "Projection": projection,
            }
        )
    return dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": contract.CALL_ID, "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": "S"} for n in sorted(key_names)
        ],
        GlobalSecondaryIndexes=indexes,
    )


def create_reviews_table(dynamodb: Any, name: str = contract.REVIEWS_TABLE_NAME) -> Any:
    return dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": contract.CALL_ID, "KeyType": "HASH"},
            {"AttributeName": contract.REVISION, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": contract.CALL_ID, "AttributeType": "S"},
            {"AttributeName": contract.REVISION, "AttributeType": "N"},
        ],
    )
