"""Size score: how comfortably the model's weights fit each of four reference devices.

Inputs (``SizeInput``): the real total size in bytes of the weight files (``None`` when unknown).

Memory budgets (bytes of weights a device can hold for inference, after the OS, runtime and activations):

| device | budget | reasoning |
|---|---|---|
| raspberry_pi | 1 GB | a 4 GB Pi 4/5 leaves about 1 GB for weights once OS, Python and activations are loaded |
| jetson_nano | 2 GB | 4 GB shared CPU/GPU memory, half of it for weights |
| desktop_pc | 16 GB | a 24 GB GPU or 32 GB RAM desktop, half for weights |
| aws_server | 64 GB | an 80 GB accelerator (A100/H100 class) with headroom for KV cache and activations |

Formula per device (GB = 10^9 bytes): ``1`` when size ≤ budget/2 (comfortable fit); then falling linearly to ``0``
at 2 x budget (``1 - (size - budget/2) / (1.5 x budget)``); ``0`` beyond. At exactly the budget the score is 2/3.

Edge cases: an unknown size (``None``) or a negative size scores 0 on every device, because the registry must not
promise a fit it cannot check (net_score then loses the size term, which invites uploaders to supply weights);
a size of 0 bytes (e.g. a config-only artifact) scores 1.

Why linear rather than a step: a model at 1.1 x budget can still run with quantisation or offloading, one at
2 x cannot reasonably; a linear ramp keeps the score monotone and easy to explain.
"""

from dataclasses import dataclass
from typing import Final

from scoring.domain._score import bounded

GB: Final = 10**9
BUDGETS: Final = {"raspberry_pi": 1 * GB, "jetson_nano": 2 * GB, "desktop_pc": 16 * GB, "aws_server": 64 * GB}


@dataclass(frozen=True, slots=True)
class SizeInput:
    """Total bytes of the model's weight files; ``None`` when they could not be measured."""

    total_bytes: int | None


@dataclass(frozen=True, slots=True)
class SizeScore:
    """One score per reference device, as the ModelRating ``size_score`` object."""

    raspberry_pi: float
    jetson_nano: float
    desktop_pc: float
    aws_server: float

    def as_dict(self) -> dict[str, float]:
        """The four scores keyed by device name, in the spec's order."""
        return {
            "raspberry_pi": self.raspberry_pi,
            "jetson_nano": self.jetson_nano,
            "desktop_pc": self.desktop_pc,
            "aws_server": self.aws_server,
        }

    def mean(self) -> float:
        """The average of the four device scores (net_score's size term)."""
        return bounded(sum(self.as_dict().values()) / 4)


def device_score(total_bytes: int, budget: int) -> float:
    """One device's score: 1 up to half its budget, linear down to 0 at twice the budget."""
    comfortable = budget / 2
    if total_bytes <= comfortable:
        return 1.0
    return bounded(1 - (total_bytes - comfortable) / (1.5 * budget))


def size_score(size: SizeInput) -> SizeScore:
    """Scores of the four reference devices; an unknown size scores 0 everywhere."""
    if size.total_bytes is None or size.total_bytes < 0:
        return SizeScore(0.0, 0.0, 0.0, 0.0)
    scores = {device: device_score(size.total_bytes, budget) for device, budget in BUDGETS.items()}
    return SizeScore(**scores)
