"""Amazon CloudFront: invalidating paths cached by one distribution."""

from __future__ import annotations

import time
import uuid

from core.aws import client, translated


def invalidate(distribution_id: str, paths: list[str]) -> str:
    """Ask ``distribution_id`` to drop ``paths`` in one invalidation; return its id.

    The caller reference is unique, so every call is a new invalidation, never a repeat.
    """
    reference = f"portal-{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    with translated(
        f"invalidating CloudFront distribution {distribution_id!r}",
        {
            "NoSuchDistribution": (
                f"There is no CloudFront distribution {distribution_id!r}: set "
                "PORTAL_DISTRIBUTION_ID to the id of the distribution in front of the bucket."
            )
        },
    ):
        # CloudFront is global: its API lives in us-east-1 whatever region is set.
        answer = client("cloudfront", region="us-east-1").create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": reference,
            },
        )
    return answer["Invalidation"]["Id"]
