"""Code quality: engineering hygiene of the model's code archive, from facts gathered by static inspection.

Inputs (``CodeFacts``): has_tests, has_ci, has_readme, has_packaging (pyproject/setup.py/requirements),
lint_issues (count reported by a linter such as ruff or flake8) and python_lines.

Formula: a weighted sum:

- 0.20 has_tests, 0.15 has_ci, 0.15 has_readme, 0.10 has_packaging;
- 0.40 lint: with lint density ``d = lint_issues / (python_lines / 1000)`` (issues per 1,000 lines),
  ``lint = 1 / (1 + d / 10)``: 0 issues → 1, 10 per kLOC → 0.5, 30 per kLOC → 0.25.

Edge cases: no Python code (python_lines ≤ 0) → the lint term is 0, since there is nothing to judge and a repository
without code cannot earn the largest share; the other facts still count. Negative counts are treated as 0.

Why: lint density normalises issues by size so large and small repositories compare fairly; tests, CI, a README and
packaging are the cheapest signals that someone can install and maintain the code.
"""

from dataclasses import dataclass
from typing import Final

from scoring.domain._score import bounded

DENSITY_HALF: Final = 10.0


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """Facts about a code archive, gathered by the scoring service."""

    has_tests: bool = False
    has_ci: bool = False
    has_readme: bool = False
    has_packaging: bool = False
    lint_issues: int = 0
    python_lines: int = 0


def lint_score(lint_issues: int, python_lines: int) -> float:
    """``1 / (1 + density / 10)`` with density in issues per 1,000 lines; 0 when there is no Python code."""
    if python_lines <= 0:
        return 0.0
    density = max(0, lint_issues) / (python_lines / 1000)
    return 1 / (1 + density / DENSITY_HALF)


def code_quality(facts: CodeFacts) -> float:
    """Score in [0, 1] of the archive's hygiene."""
    score = (
        0.20 * facts.has_tests
        + 0.15 * facts.has_ci
        + 0.15 * facts.has_readme
        + 0.10 * facts.has_packaging
        + 0.40 * lint_score(facts.lint_issues, facts.python_lines)
    )
    return bounded(score)
