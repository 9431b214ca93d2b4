"""Cached API calls: an activity that reads slow-changing data (exchange rates) wraps its upstream call in a TTL
cache, so repeated executions on the same worker are served from memory, and an upstream outage falls back to the
last known value (stale-on-error) instead of failing. The cache lives in the activity, never in the workflow:
workflow code must be deterministic, and its activity results are recorded anyway.
"""

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, Optional

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError


@dataclass
class CacheEntry:
    value: Any
    stored_at: float
    expires_at: float


class TtlCache:
    """In-memory, per worker process; swap for a shared store (Redis, …) with the same get/set."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.entries: dict[str, CacheEntry] = {}
        self.clock = clock

    async def get_or_fetch(self, key: str, fetch: Callable[[], Awaitable[Any]], ttl: float, stale_on_error: bool = True) -> tuple[Any, str]:
        """Returns (value, source) where source is fresh, cache or stale."""
        cached = self.entries.get(key)
        now = self.clock()
        if cached and now < cached.expires_at:
            return cached.value, "cache"
        try:
            value = await fetch()
        except Exception:
            if stale_on_error and cached:
                return cached.value, "stale"
            raise
        stored = self.clock()
        self.entries[key] = CacheEntry(value, stored, stored + ttl)
        return value, "fresh"


cache = TtlCache()
upstream_calls: list[str] = []


@dataclass
class RateRequest:
    base: str
    quote: str
    ttl_seconds: float
    simulate_outage: bool = False


@dataclass
class Rate:
    pair: str
    rate: float
    source: str


async def fetch_rate_upstream(base: str, quote: str, outage: bool) -> float:
    upstream_calls.append(f"{base}/{quote}")
    if outage:
        raise ApplicationError("rates API unavailable", type="ExternalServiceError")
    await asyncio.sleep(0.01)
    return 1.08 if (base, quote) == ("EUR", "USD") else 1.0


@activity.defn
async def fetch_exchange_rate(request: RateRequest) -> Rate:
    pair = f"{request.base}/{request.quote}"
    value, source = await cache.get_or_fetch(pair, lambda: fetch_rate_upstream(request.base, request.quote, request.simulate_outage), request.ttl_seconds)
    return Rate(pair, value, source)


@dataclass
class Lookup:
    delay_seconds: float = 0
    simulate_outage: bool = False


@dataclass
class QuoteInput:
    base: str
    quote: str
    ttl_seconds: float
    lookups: Optional[list[Lookup]] = None


@dataclass
class QuoteResult:
    rates: list[Rate] = field(default_factory=list)


@workflow.defn
class CachedQuoteWorkflow:
    @workflow.run
    async def run(self, input: QuoteInput) -> QuoteResult:
        result = QuoteResult()
        for lookup in input.lookups or [Lookup(), Lookup()]:
            if lookup.delay_seconds:
                await asyncio.sleep(lookup.delay_seconds)
            request = RateRequest(input.base, input.quote, input.ttl_seconds, lookup.simulate_outage)
            rate = await workflow.execute_activity(
                fetch_exchange_rate,
                request,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=100)),
            )
            result.rates.append(rate)
        return result
