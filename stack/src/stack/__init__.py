"""Local process supervision for the registry: ``python -m stack`` is what ``make run`` starts."""
