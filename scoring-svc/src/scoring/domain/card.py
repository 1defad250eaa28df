"""A model card's YAML front matter, for cards that do not come with the Hub's parsed metadata (uploads,
GitHub-sourced models): the ``---`` block at the top, parsed safely; anything malformed or not a mapping is {}."""

import re
from typing import Final

import yaml

_FRONT_MATTER: Final = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)


def front_matter(markdown: str) -> dict[str, object]:
    """The card's metadata block as a dict ({} when there is none or it is not valid YAML mapping)."""
    match = _FRONT_MATTER.match(markdown)
    if match is None:
        return {}
    try:
        loaded = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}
    return {str(key): value for key, value in loaded.items()} if isinstance(loaded, dict) else {}
