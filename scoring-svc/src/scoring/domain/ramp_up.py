"""Ramp-up time: how quickly a newcomer can start using the model, judged from its model card (README markdown).

Inputs: the card's markdown text (``CardText``). Formula, a weighted sum of five signals, each in [0, 1]:

- 0.25 installation instructions: an "install" heading or a ``pip install`` / ``conda install`` / ``git clone`` line;
- 0.30 quick-start code: fenced code blocks in a programming language (python, bash, sh, shell, console, js...),
  with diminishing returns: 1 block → 0.5, 3 blocks → 0.75;
- 0.15 usage examples: a heading or phrase naming usage, quick start, example, how to use, getting started;
- 0.15 structure: markdown headings, diminishing returns (4 headings → 0.5);
- 0.10 length: words, diminishing returns (400 words → 0.5);
- 0.05 documentation links: http(s) links, 1 link → 0.5, 3 → 0.75.

Edge cases: an empty or whitespace-only card scores 0; YAML front matter (``---`` block) is ignored, because
metadata is not documentation a newcomer reads.

Why: the rating is about adoption effort; installation and runnable examples save the most time, so they carry most
weight, while sheer length helps only a little and stops helping quickly (a long card is not a clear card).
"""

import re
from dataclasses import dataclass
from typing import Final

from scoring.domain._score import bounded, saturating

_FRONT_MATTER: Final = re.compile(r"\A---\s*\n.*?\n---\s*(\n|\Z)", re.DOTALL)
_INSTALL: Final = re.compile(r"(^#+.*\binstall)|(\b(pip|pip3|conda|uv) (install|add)\b)|(\bgit clone\b)", re.I | re.M)
_CODE_BLOCK: Final = re.compile(
    r"^\s*(```|~~~)\s*(python|py|bash|sh|shell|console|javascript|js|typescript|ts|rust|java|c\+\+|cpp|julia|r)\b",
    re.I | re.M,
)
_USAGE: Final = re.compile(r"\b(usage|quick ?start|example|how to use|getting started|inference)\b", re.I)
_HEADING: Final = re.compile(r"^#{1,6}\s+\S", re.M)
_LINK: Final = re.compile(r"https?://\S+")

WEIGHTS: Final = {"install": 0.25, "code": 0.30, "usage": 0.15, "structure": 0.15, "length": 0.10, "links": 0.05}


@dataclass(frozen=True, slots=True)
class CardText:
    """The model card's markdown, as fetched (front matter included or not)."""

    markdown: str


def ramp_up_time(card: CardText) -> float:
    """Score in [0, 1] of how easy the card makes it to start using the model; an empty card scores 0."""
    text = _FRONT_MATTER.sub("", card.markdown).strip()
    if not text:
        return 0.0
    signals = {
        "install": 1.0 if _INSTALL.search(text) else 0.0,
        "code": saturating(len(_CODE_BLOCK.findall(text)), 1),
        "usage": 1.0 if _USAGE.search(text) else 0.0,
        "structure": saturating(len(_HEADING.findall(text)), 4),
        "length": saturating(len(text.split()), 400),
        "links": saturating(len(_LINK.findall(text)), 1),
    }
    return bounded(sum(WEIGHTS[name] * value for name, value in signals.items()))
