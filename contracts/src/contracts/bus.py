"""Who may say what on the bus: one NATS user per role, each allowed only the subjects its role needs.

Every process connects with its role's credentials (``NATS_USER``/``NATS_PASSWORD``); the server refuses anonymous
clients and enforces these permissions, so a process (or a stranger who reached the bus) holding one role's
credentials cannot answer another service's subjects, forge a reply, create an admin or reset the registry:

- requests: a role publishes only the subjects it calls and subscribes only the subjects it answers;
- replies: a responder may publish to a request's reply subject only while answering it (``allow_responses``),
  and each role receives replies on an inbox prefix of its own (``_INBOX_<role>``), which no other role may read;
- only the gateway sends user-facing requests and ``<service>.admin.reset``, so the principal a request carries is
  always the one the gateway authenticated;
- only the catalog answers ``catalog.auth.*`` and publishes revocations and artifact changes; only storage-svc touches its JetStream
  stream of copy jobs;
- catalog and storage publish registry events (``events.*``) to the ``REGISTRY_EVENTS`` stream, which only
  webhook-svc creates and reads; the gateway calls webhook-svc's subscription subjects.

``stack`` renders this table into the nats-server configuration ``make run`` and the tests start; ``deploy/`` holds
the same configuration rendered for operators (``python -m stack.natsconf``), checked by ``tests/deploy``.
"""

from dataclasses import dataclass
from typing import Final

from contracts import subjects as s

GATEWAY: Final = "gateway"
ROLES: Final = (GATEWAY, s.CATALOG, s.STORAGE, s.LINEAGE, s.SCORING, s.WEBHOOKS)


def inbox_prefix(role: str) -> str:
    """The prefix of the reply subjects (inboxes) of ``role``'s connections."""
    return f"_INBOX_{role}"


def _micro(service: str) -> tuple[str, ...]:
    """The ``nats.micro`` discovery subjects a service answers (PING, INFO, STATS: all, by name, by id)."""
    return ("$SRV.*", f"$SRV.*.{service}", f"$SRV.*.{service}.*")


@dataclass(frozen=True)
class BusRole:
    """What one role's connections may publish and subscribe to (NATS subject patterns)."""

    name: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]

    @property
    def inbox(self) -> str:
        """The subscription pattern of this role's inboxes."""
        return f"{inbox_prefix(self.name)}.>"


_STREAM = s.COPY_JOBS_STREAM
_CATALOG_ANSWERS = (
    s.ARTIFACT_CREATE,
    s.ARTIFACT_GET,
    s.ARTIFACT_UPDATE,
    s.ARTIFACT_DELETE,
    s.ARTIFACT_QUERY,
    s.ARTIFACT_BY_NAME,
    s.ARTIFACT_BY_REGEX,
    s.ARTIFACT_AUDIT,
    s.ARTIFACT_DOWNLOAD,
    s.ARTIFACT_PACKAGE,
    s.ARTIFACT_REGISTER_UPLOAD,
    s.AUTH_LOGIN,
    s.AUTH_LEASE,
    s.AUTH_REVOCATIONS,
    s.USER_CREATE,
    s.USER_LIST,
    s.USER_DELETE,
    s.USER_GRANT,
    s.AUDIT_RATE,
    s.reset_subject(s.CATALOG),
)
_STORAGE_ANSWERS = (
    s.PACKAGE_PREPARE,
    s.PACKAGE_STATUS,
    s.PACKAGE_FILES,
    s.PACKAGE_DOWNLOAD,
    s.PACKAGE_DELETE,
    s.PACKAGE_SIZES,
    s.PACKAGE_RANGE_LINKS,
    s.UPLOAD_BEGIN,
    s.reset_subject(s.STORAGE),
)
_LINEAGE_ANSWERS = (
    s.LINEAGE_RECORD,
    s.LINEAGE_FORGET,
    s.LINEAGE_GRAPH,
    s.LINEAGE_PARENTS,
    s.LINEAGE_COST,
    s.LINEAGE_LICENSE,
    s.reset_subject(s.LINEAGE),
)
_EVENTS = s.EVENTS_STREAM
_CATALOG_EVENTS = (
    s.EVENT_ARTIFACT_CREATED,
    s.EVENT_ARTIFACT_UPDATED,
    s.EVENT_ARTIFACT_DELETED,
    s.EVENT_RATING_STORED,
    s.EVENT_RATING_REFUSED,
)
_STORAGE_EVENTS = (s.EVENT_COPY_FINISHED, s.EVENT_COPY_FAILED)
_WEBHOOKS_ANSWERS = (
    s.WEBHOOK_CREATE,
    s.WEBHOOK_LIST,
    s.WEBHOOK_DELETE,
    s.WEBHOOK_DELIVERIES,
    s.reset_subject(s.WEBHOOKS),
)
_SCORING_ANSWERS = (
    s.RATING_COMPUTE,
    s.RATING_READ,
    s.RATING_REPORT,
    s.RATING_FORGET,
    s.RATINGS_CHANGED,
    s.reset_subject(s.SCORING),
)

PERMISSIONS: Final = {
    GATEWAY: BusRole(
        GATEWAY,
        publish=(
            *(subject for subject in _CATALOG_ANSWERS if subject != s.reset_subject(s.CATALOG)),
            s.UPLOAD_BEGIN,
            s.RATING_READ,
            s.RATING_REPORT,
            s.LINEAGE_GRAPH,
            s.LINEAGE_COST,
            s.LINEAGE_LICENSE,
            *(subject for subject in _WEBHOOKS_ANSWERS if subject != s.reset_subject(s.WEBHOOKS)),
            *(s.reset_subject(service) for service in s.RESETTABLE_SERVICES),
            *(f"$SRV.STATS.{service}" for service in s.MONITORED_SERVICES),
        ),
        subscribe=(s.AUTH_REVOKED,),
    ),
    s.CATALOG: BusRole(
        s.CATALOG,
        publish=(
            s.AUTH_REVOKED,
            s.ARTIFACTS_CHANGED,
            s.PACKAGE_PREPARE,
            s.PACKAGE_STATUS,
            s.PACKAGE_FILES,
            s.PACKAGE_DOWNLOAD,
            s.PACKAGE_DELETE,
            s.LINEAGE_RECORD,
            s.LINEAGE_FORGET,
            s.RATING_COMPUTE,
            s.RATING_REPORT,
            s.RATING_FORGET,
            *_CATALOG_EVENTS,
        ),
        subscribe=(*_CATALOG_ANSWERS, s.ARTIFACTS_CHANGED, *_micro(s.CATALOG)),
    ),
    s.STORAGE: BusRole(
        s.STORAGE,
        publish=(
            s.COPY_JOB,
            "$JS.API.INFO",
            f"$JS.API.STREAM.*.{_STREAM}",
            f"$JS.API.CONSUMER.*.{_STREAM}",
            f"$JS.API.CONSUMER.*.{_STREAM}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{_STREAM}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{_STREAM}.>",
            f"$JS.ACK.{_STREAM}.>",
            *_STORAGE_EVENTS,
        ),
        subscribe=(*_STORAGE_ANSWERS, *_micro(s.STORAGE)),
    ),
    s.LINEAGE: BusRole(
        s.LINEAGE,
        publish=(s.PACKAGE_SIZES,),
        subscribe=(*_LINEAGE_ANSWERS, *_micro(s.LINEAGE)),
    ),
    s.SCORING: BusRole(
        s.SCORING,
        publish=(s.RATINGS_CHANGED, s.LINEAGE_PARENTS, s.PACKAGE_SIZES, s.PACKAGE_RANGE_LINKS),
        subscribe=(*_SCORING_ANSWERS, *_micro(s.SCORING)),
    ),
    s.WEBHOOKS: BusRole(
        s.WEBHOOKS,
        publish=(
            "$JS.API.INFO",
            f"$JS.API.STREAM.*.{_EVENTS}",
            f"$JS.API.CONSUMER.*.{_EVENTS}",
            f"$JS.API.CONSUMER.*.{_EVENTS}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{_EVENTS}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{_EVENTS}.>",
            f"$JS.ACK.{_EVENTS}.>",
        ),
        subscribe=(*_WEBHOOKS_ANSWERS, *_micro(s.WEBHOOKS)),
    ),
}


@dataclass(frozen=True)
class BusEvent:
    """A plain publish (no reply): who sends it, who hears it, and whether one replica of each hearing role takes
    it (a queue group) or every replica does."""

    publishers: tuple[str, ...]
    subscribers: tuple[str, ...]
    shared: bool = False  # one replica takes each (a queue group); otherwise every replica hears every event
    stream: str | None = None  # carried by this JetStream stream rather than plain NATS


# Every subject that is not a request a service's endpoint table answers. ``tests/test_wiring.py`` checks that
# each subject of ``contracts.subjects`` is either bound by exactly one endpoint table or listed here, and that the
# permissions above allow what this table says.
EVENTS: Final = {
    s.AUTH_REVOKED: BusEvent(publishers=(s.CATALOG,), subscribers=(GATEWAY,)),
    s.ARTIFACTS_CHANGED: BusEvent(publishers=(s.CATALOG,), subscribers=(s.CATALOG,)),
    s.RATINGS_CHANGED: BusEvent(publishers=(s.SCORING,), subscribers=(s.SCORING,)),
    s.AUDIT_RATE: BusEvent(publishers=(GATEWAY,), subscribers=(s.CATALOG,), shared=True),
    s.COPY_JOB: BusEvent(publishers=(s.STORAGE,), subscribers=(s.STORAGE,), shared=True, stream=s.COPY_JOBS_STREAM),
    **{
        subject: BusEvent(publishers=(s.CATALOG,), subscribers=(s.WEBHOOKS,), shared=True, stream=_EVENTS)
        for subject in _CATALOG_EVENTS
    },
    **{
        subject: BusEvent(publishers=(s.STORAGE,), subscribers=(s.WEBHOOKS,), shared=True, stream=_EVENTS)
        for subject in _STORAGE_EVENTS
    },
}
