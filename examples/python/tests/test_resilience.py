"""Circuit breaker, cached calls and definition-driven workflows, on the time-skipping server."""

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.worker import Worker

from hourglass_examples import cached_calls, dynamic
from hourglass_examples.cached_calls import CachedQuoteWorkflow, Lookup, QuoteInput, TtlCache
from hourglass_examples.circuit_breaker import CircuitBreakerPollWorkflow, PollInput, call_inventory_service


async def test_the_circuit_opens_after_the_threshold_skips_calls_and_closes_after_a_successful_trial(skipping_env, task_queue):
    poll = PollInput(calls=8, interval_seconds=60, failure_threshold=2, reset_timeout_seconds=300, failing_calls=[1, 2])
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[CircuitBreakerPollWorkflow], activities=[call_inventory_service]):
        result = await skipping_env.client.execute_workflow(CircuitBreakerPollWorkflow.run, poll, id=task_queue, task_queue=task_queue)
    assert [o.outcome for o in result.outcomes] == ["ok", "failed", "failed", "skipped", "skipped", "skipped", "skipped", "ok"]
    assert [(t.from_state, t.to_state) for t in result.transitions] == [("CLOSED", "OPEN"), ("OPEN", "HALF_OPEN"), ("HALF_OPEN", "CLOSED")]
    # Opened at minute 2, trial at minute 7: the 5-minute reset timeout was measured in (skipped) workflow time
    # (which also moves with real time while activities run, hence whole minutes).
    assert [round(t.at_seconds / 60) for t in result.transitions] == [2, 7, 7]
    assert result.final_state == "CLOSED"


async def test_a_failed_trial_reopens_the_circuit(skipping_env, task_queue):
    poll = PollInput(calls=5, interval_seconds=60, failure_threshold=1, reset_timeout_seconds=120, failing_calls=[0, 2])
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[CircuitBreakerPollWorkflow], activities=[call_inventory_service]):
        result = await skipping_env.client.execute_workflow(CircuitBreakerPollWorkflow.run, poll, id=task_queue, task_queue=task_queue)
    assert [o.outcome for o in result.outcomes] == ["failed", "skipped", "failed", "skipped", "ok"]
    assert [t.to_state for t in result.transitions] == ["OPEN", "HALF_OPEN", "OPEN", "HALF_OPEN", "CLOSED"]


async def test_repeated_lookups_are_served_from_the_cache_and_an_outage_falls_back_to_the_stale_value(skipping_env, task_queue):
    cached_calls.cache.entries.clear()
    cached_calls.upstream_calls.clear()
    quote = QuoteInput("EUR", "USD", ttl_seconds=0.5, lookups=[Lookup(), Lookup(), Lookup(delay_seconds=3600, simulate_outage=True)])
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[CachedQuoteWorkflow], activities=[cached_calls.fetch_exchange_rate]):
        handle = await skipping_env.client.start_workflow(CachedQuoteWorkflow.run, quote, id=task_queue, task_queue=task_queue)
        result = await handle.result()
    sources = [r.source for r in result.rates]
    assert sources[:2] == ["fresh", "cache"]
    # The third lookup comes after the TTL (real time passes while the clock holds for the activity, or the
    # entry is still fresh): either way the outage never fails the workflow.
    assert sources[2] in ("stale", "cache")
    assert all(r.rate == 1.08 for r in result.rates)


async def test_ttl_cache_expiry_and_stale_on_error():
    now = [0.0]
    cache = TtlCache(clock=lambda: now[0])

    async def ok():
        return 1

    async def down():
        raise RuntimeError("down")

    assert await cache.get_or_fetch("k", ok, ttl=10) == (1, "fresh")
    now[0] = 5
    assert await cache.get_or_fetch("k", down, ttl=10) == (1, "cache")
    now[0] = 11
    assert await cache.get_or_fetch("k", down, ttl=10) == (1, "stale")
    with pytest.raises(RuntimeError):
        await cache.get_or_fetch("k", down, ttl=10, stale_on_error=False)


ORDER = {"order_id": "o-1", "customer_id": "c-1", "items": [{"sku": "A", "quantity": 3, "unit_price": 500}]}
DEFINITION = {
    "name": "order-flow",
    "steps": [
        {"id": "validation", "activity": "dynamic_validate_order"},
        {"id": "fraud", "activity": "dynamic_check_fraud"},
        {
            "id": "risk",
            "if": {"path": "fraud.score", "op": ">=", "value": 50},
            "then": [{"id": "review", "activity": "dynamic_request_review"}],
            "else": [{"id": "auto", "activity": "dynamic_send_notification"}],
        },
        {"id": "fulfil", "parallel": [{"id": "reservation", "activity": "dynamic_reserve_inventory"}, {"id": "payment", "activity": "dynamic_charge_payment"}]},
    ],
}


async def test_a_definition_drives_the_steps_with_conditions_and_parallel_branches(skipping_env, task_queue):
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[dynamic.DynamicWorkflow], activities=dynamic.DYNAMIC_ACTIVITIES):
        result = await skipping_env.client.execute_workflow(dynamic.DynamicWorkflow.run, args=[DEFINITION, ORDER], id=task_queue, task_queue=task_queue)
    assert result.results["fraud"] == {"score": 80}
    assert result.results["review"] == "review-o-1" and "auto" not in result.results
    assert (result.results["reservation"], result.results["payment"]) == ("res-o-1", "tx-o-1")
    assert result.executed[:3] == ["validation", "fraud", "review"] and result.executed[-1] == "fulfil"


async def test_an_invalid_definition_fails_at_once_naming_the_step(skipping_env, task_queue):
    bad = {"name": "bad", "steps": [{"id": "ok", "activity": "dynamic_validate_order"}, {"id": "hack", "activity": "os_system"}]}
    async with Worker(skipping_env.client, task_queue=task_queue, workflows=[dynamic.DynamicWorkflow], activities=dynamic.DYNAMIC_ACTIVITIES):
        with pytest.raises(WorkflowFailureError) as failure:
            await skipping_env.client.execute_workflow(dynamic.DynamicWorkflow.run, args=[bad, ORDER], id=task_queue, task_queue=task_queue)
    assert failure.value.cause.type == dynamic.INVALID_DEFINITION
    assert failure.value.cause.message == "invalid definition at steps[1] ('hack'): unknown activity 'os_system'"
