"""Base class for every cross-process payload."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message exchanged over NATS: strict, immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Empty(Contract):
    """A payload with no fields (acknowledgements, parameterless requests)."""
