"""API keys as API Gateway checks them for a stage: the key must exist, be enabled, and belong to
a usage plan attached to this API stage. Read from the local endpoint, cached for at most `ttl`
seconds, so a key rotated or revoked there takes effect within that time."""

import math
import threading
import time
from dataclasses import dataclass

from ops.restapi import api_ids_named
from rehearsal.gateway.throttle import Limits


@dataclass(frozen=True)
class Caller:
    """An admitted key: its id (requestContext.identity.apiKeyId), its plan's limits, the API."""

    api_id: str
    key_id: str
    plan_id: str
    limits: Limits


@dataclass(frozen=True)
class Snapshot:
    api_id: str | None
    keys: dict  # key value -> (key id, enabled)
    plans: dict  # key id -> (plan id, Limits)


def plan_limits(plan: dict) -> Limits:
    throttle, quota = plan.get("throttle") or {}, plan.get("quota") or {}
    rate, burst = throttle.get("rateLimit"), throttle.get("burstLimit")
    if rate is not None and burst is None:
        burst = max(1, math.ceil(rate))
    return Limits(
        rate=None if rate is None else float(rate),
        burst=None if burst is None else int(burst),
        quota=quota.get("limit"),
        period=quota.get("period"),
    )


def read_snapshot(apigateway, api_name: str, stage: str) -> Snapshot:
    # The local endpoint is fresh each run: the first API of the name is the stage's.
    api_id = next(iter(api_ids_named(apigateway, api_name)), None)
    plans: dict = {}
    if api_id is not None:
        for page in apigateway.get_paginator("get_usage_plans").paginate():
            for plan in page.get("items", []):
                stages = plan.get("apiStages", [])
                if not any(s.get("apiId") == api_id and s.get("stage") == stage for s in stages):
                    continue
                limits = plan_limits(plan)
                for key_page in apigateway.get_paginator("get_usage_plan_keys").paginate(
                    usagePlanId=plan["id"]
                ):
                    for key in key_page.get("items", []):
                        plans.setdefault(key["id"], (plan["id"], limits))
    keys = {}
    for page in apigateway.get_paginator("get_api_keys").paginate(includeValues=True):
        for key in page.get("items", []):
            if key.get("value"):
                keys[key["value"]] = (key["id"], bool(key.get("enabled")))
    return Snapshot(api_id=api_id, keys=keys, plans=plans)


class StageKeys:
    """authorize(key value) -> Caller, or None for API Gateway's 403 Forbidden."""

    def __init__(self, apigateway, api_name: str, stage: str, ttl: float, clock=time.monotonic):
        self.client, self.api_name, self.stage = apigateway, api_name, stage
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self.clock()
            if self._snapshot is None or now - self._read_at >= self.ttl:
                self._snapshot = read_snapshot(self.client, self.api_name, self.stage)
                self._read_at = now
            return self._snapshot

    def authorize(self, value: str | None) -> Caller | None:
        if not value:
            return None
        snapshot = self.snapshot()
        key_id, enabled = snapshot.keys.get(value, (None, False))
        if not enabled or key_id not in snapshot.plans:
            return None
        plan_id, limits = snapshot.plans[key_id]
        return Caller(api_id=snapshot.api_id, key_id=key_id, plan_id=plan_id, limits=limits)
