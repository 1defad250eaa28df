"""The sizes of one benchmark run: how many artifacts to seed and how many requests each scenario sends."""

from dataclasses import dataclass

REGEX_PATTERNS = (
    "bert-base.*-00[0-4]2",
    "(?i)transformer",
    "(a+)+$",
    "(?i)fine-?tuned on squad",
)


@dataclass(frozen=True)
class BenchConfig:
    """Run sizes; ``full()`` is the default run, ``quick()`` the smoke check."""

    artifacts: int
    bare_requests: int
    get_requests: int
    list_requests: int
    regex_requests: int
    warmup: int
    workers: int = 64
    token_budget: int = 900
    seed: int = 20240611

    @classmethod
    def full(cls) -> "BenchConfig":
        """10,000 artifacts; 3,000 GETs, fewer of the heavier requests (the fast baseline gets more, to time it)."""
        return cls(
            artifacts=10_000,
            bare_requests=10_000,
            get_requests=3000,
            list_requests=1000,
            regex_requests=300,
            warmup=200,
        )

    @classmethod
    def quick(cls) -> "BenchConfig":
        """500 artifacts and 200 requests per scenario (1,000 for the baseline)."""
        return cls(
            artifacts=500,
            bare_requests=1000,
            get_requests=200,
            list_requests=200,
            regex_requests=200,
            warmup=20,
        )
