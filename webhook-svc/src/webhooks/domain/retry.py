"""When a failed delivery is tried again, and when a subscription stops being tried at all."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff between attempts, a cap on attempts, and the failure count that disables."""

    base_seconds: float
    max_seconds: float
    max_attempts: int
    disable_after: int


def backoff(policy: RetryPolicy, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2·base, 4·base… capped at max."""
    return min(policy.max_seconds, policy.base_seconds * 2.0 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class AttemptResult:
    """What one POST to the target came to."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Outcome:
    """The state a delivery and its subscription move to after an attempt."""

    status: str  # pending | delivered | failed
    attempts: int
    next_attempt: float | None
    failures: int  # the subscription's consecutive failed attempts
    disabled_reason: str | None


def after_attempt(policy: RetryPolicy, result: AttemptResult, attempts: int, failures: int, now: float) -> Outcome:
    """The delivery's new status (``attempts`` counts this one) and its subscription's failure count (``failures``:
    its consecutive failed attempts before this one)."""
    if result.ok:
        return Outcome("delivered", attempts, None, 0, None)
    failures += 1
    why = result.error or f"HTTP {result.status}"
    disabled = None
    if failures >= policy.disable_after:
        # the threshold, not the count: attempts failing at once may pass it together, and the first reason stays
        disabled = f"disabled after {policy.disable_after} consecutive failed delivery attempts; the last: {why}"
    if attempts >= policy.max_attempts or disabled:
        return Outcome("failed", attempts, None, failures, disabled)
    return Outcome("pending", attempts, now + backoff(policy, attempts), failures, None)
