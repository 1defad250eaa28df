"""Shared helpers of the metric functions: clamping and rounding every score the same way."""


def bounded(value: float) -> float:
    """Clamp ``value`` into [0, 1] and round it to 4 decimals, as every metric reports it."""
    return round(min(1.0, max(0.0, value)), 4)


def saturating(count: float, half: float) -> float:
    """Diminishing returns: 0 at 0, 0.5 at ``half``, tending to 1 (``count / (count + half)``)."""
    if count <= 0:
        return 0.0
    return count / (count + half)
