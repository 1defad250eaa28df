"""Base class for every cross-process payload, and the one reply form that is sent already encoded."""

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message exchanged over NATS: strict, immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Empty(Contract):
    """A payload with no fields (acknowledgements, parameterless requests)."""


@dataclass(frozen=True)
class Encoded:
    """A reply its service encoded itself as the JSON the API answers, sent over the bus as it is: the caller passes
    it on without decoding, validating and encoding it again (search answers of thousands of artifacts, where that
    was most of the gateway's work). Only subjects in ``contracts.subjects.ENCODED_REPLIES`` answer so; their
    services build it from contract models (the catalog joins each artifact's encoding, kept with its copy)."""

    body: bytes
