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


@dataclass(frozen=True)
class StorageConfig:
    """Sizes of the storage benchmark; ``full()`` is the default run, ``quick()`` the smoke check."""

    models: int
    register_concurrency: int
    clients: int
    downloads: int
    rounds: int
    warmup: int
    settle_timeout: float
    token_budget: int = 900

    @classmethod
    def full(cls) -> "StorageConfig":
        """500 registered models; 600 downloads per scenario (~94-98 MB each), in 6 alternating rounds."""
        return cls(
            models=500,
            register_concurrency=8,
            clients=100,
            downloads=600,
            rounds=6,
            warmup=20,
            settle_timeout=900.0,
        )

    @classmethod
    def quick(cls) -> "StorageConfig":
        """50 registered models; 100 downloads per scenario (one per client), one round."""
        return cls(
            models=50,
            register_concurrency=8,
            clients=100,
            downloads=100,
            rounds=1,
            warmup=10,
            settle_timeout=300.0,
        )
