"""Tables of scoring-svc's rating store; the migrations create them.

``ratings.report`` is the ``RatingReport`` as JSON (served as is); ``failure`` is set instead when a metric could
not be computed, so ``/rate`` answers the spec's 500 naming it. ``rating_parents`` keeps which parents a model's
tree_score averaged, so a parent's new score can reach its children without asking lineage again.
"""

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text

metadata = MetaData()

ratings = Table(
    "ratings",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("report", Text, nullable=False),
    Column("failure", Text, nullable=True),
    Column("rated_at", DateTime(timezone=True), nullable=False),
)

rating_parents = Table(
    "rating_parents",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("parent_id", String(64), primary_key=True),
    Index("ix_rating_parents_parent", "parent_id"),
)
