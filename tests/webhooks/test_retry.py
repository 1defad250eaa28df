"""Retry timing and the disable rule, as pure functions."""

from webhooks.domain.retry import AttemptResult, RetryPolicy, after_attempt, backoff

POLICY = RetryPolicy(base_seconds=5, max_seconds=60, max_attempts=5, disable_after=8)
DOWN = AttemptResult(None, "Cannot connect to host")


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    assert [backoff(POLICY, n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_a_2xx_delivers_and_clears_the_failure_count() -> None:
    outcome = after_attempt(POLICY, AttemptResult(204, None), attempts=3, failures=6, now=100.0)
    assert (outcome.status, outcome.failures, outcome.next_attempt, outcome.disabled_reason) == (
        "delivered", 0, None, None
    )  # fmt: skip


def test_a_failure_is_retried_after_the_backoff_until_the_attempts_run_out() -> None:
    retry = after_attempt(POLICY, AttemptResult(503, "HTTP 503"), attempts=2, failures=1, now=100.0)
    assert (retry.status, retry.next_attempt, retry.failures) == ("pending", 110.0, 2)
    last = after_attempt(POLICY, DOWN, attempts=5, failures=4, now=100.0)
    assert (last.status, last.next_attempt, last.disabled_reason) == ("failed", None, None)


def test_the_subscription_is_disabled_at_the_nth_consecutive_failure_with_the_last_reason() -> None:
    outcome = after_attempt(POLICY, DOWN, attempts=1, failures=7, now=0.0)
    assert outcome.status == "failed" and outcome.failures == 8
    assert outcome.disabled_reason == (
        "disabled after 8 consecutive failed delivery attempts; the last: Cannot connect to host"
    )
    assert after_attempt(POLICY, AttemptResult(302, None), 1, 7, 0.0).disabled_reason is not None
