"""Every NATS subject in the system, defined once.

Subjects are ``<service>.<noun>.<verb>``; each service answers its own prefix in a queue group, so any
number of replicas share the load.
"""

from typing import Final

CATALOG: Final = "catalog"

ARTIFACT_CREATE: Final = "catalog.artifact.create"
ARTIFACT_GET: Final = "catalog.artifact.get"
ARTIFACT_UPDATE: Final = "catalog.artifact.update"
ARTIFACT_DELETE: Final = "catalog.artifact.delete"
ARTIFACT_QUERY: Final = "catalog.artifact.query"
ARTIFACT_BY_NAME: Final = "catalog.artifact.by_name"
ARTIFACT_BY_REGEX: Final = "catalog.artifact.by_regex"
ARTIFACT_AUDIT: Final = "catalog.artifact.audit"
ARTIFACT_DOWNLOAD: Final = "catalog.artifact.download"
ARTIFACT_PACKAGE: Final = "catalog.artifact.package"
ARTIFACT_REGISTER_UPLOAD: Final = "catalog.artifact.register_upload"
CATALOG_RESET: Final = "catalog.admin.reset"
# Event (plain publish, every catalog replica listens): the artifacts changed; payload ``ArtifactsChanged``.
ARTIFACTS_CHANGED: Final = "catalog.artifacts.changed"

AUTH_LOGIN: Final = "catalog.auth.login"
AUTH_LEASE: Final = "catalog.auth.lease"
# Event (plain publish, every gateway listens): cached principals went stale; payload ``TokensRevoked``.
AUTH_REVOKED: Final = "catalog.auth.revoked"
# The revocation sequence (``Empty`` → ``Revocations``), which gateways confirm in case an event was lost.
AUTH_REVOCATIONS: Final = "catalog.auth.revocations"
USER_CREATE: Final = "catalog.user.create"
USER_LIST: Final = "catalog.user.list"
USER_DELETE: Final = "catalog.user.delete"
USER_GRANT: Final = "catalog.user.grant"

STORAGE: Final = "storage"

PACKAGE_PREPARE: Final = "storage.package.prepare"
PACKAGE_STATUS: Final = "storage.package.status"
PACKAGE_FILES: Final = "storage.package.files"
PACKAGE_DOWNLOAD: Final = "storage.package.download"
PACKAGE_DELETE: Final = "storage.package.delete"
UPLOAD_BEGIN: Final = "storage.upload.begin"
PACKAGE_SIZES: Final = "storage.package.sizes"

LINEAGE: Final = "lineage"

LINEAGE_RECORD: Final = "lineage.node.record"
LINEAGE_FORGET: Final = "lineage.node.forget"
LINEAGE_GRAPH: Final = "lineage.graph.read"
LINEAGE_PARENTS: Final = "lineage.node.parents"
LINEAGE_COST: Final = "lineage.cost.read"
LINEAGE_LICENSE: Final = "lineage.license.check"

SCORING: Final = "scoring"

RATING_COMPUTE: Final = "scoring.rating.compute"
RATING_READ: Final = "scoring.rating.read"
RATING_REPORT: Final = "scoring.rating.report"
RATING_FORGET: Final = "scoring.rating.forget"
# Event (plain publish, every scoring replica listens): stored ratings changed; payload ``RatingsChanged``.
RATINGS_CHANGED: Final = "scoring.ratings.changed"
# Event (plain publish, one catalog replica takes it): a rating was read; payload ``RateAudited``.
AUDIT_RATE: Final = "catalog.audit.rate"
# JetStream work queue of copy jobs (payload ``PackageRef``), consumed by storage-svc replicas.
COPY_JOBS_STREAM: Final = "STORAGE_COPY_JOBS"
COPY_JOB: Final = "storage.jobs.copy"

WEBHOOKS: Final = "webhooks"

WEBHOOK_CREATE: Final = "webhooks.subscription.create"
WEBHOOK_LIST: Final = "webhooks.subscription.list"
WEBHOOK_DELETE: Final = "webhooks.subscription.delete"
WEBHOOK_DELIVERIES: Final = "webhooks.subscription.deliveries"
# JetStream stream of registry events (payload ``RegistryEvent``): catalog and storage publish with an
# acknowledgement, webhook-svc replicas consume them through one durable consumer.
EVENTS_STREAM: Final = "REGISTRY_EVENTS"
EVENT_ARTIFACT_CREATED: Final = "events.artifact.created"
EVENT_ARTIFACT_UPDATED: Final = "events.artifact.updated"
EVENT_ARTIFACT_DELETED: Final = "events.artifact.deleted"
EVENT_RATING_STORED: Final = "events.rating.stored"
EVENT_RATING_REFUSED: Final = "events.rating.refused"
EVENT_COPY_FINISHED: Final = "events.copy.finished"
EVENT_COPY_FAILED: Final = "events.copy.failed"

# Services whose stores ``DELETE /reset`` must empty; each answers ``<service>.admin.reset``.
RESETTABLE_SERVICES: Final = (CATALOG, STORAGE, LINEAGE, SCORING, WEBHOOKS)
# Services the health report asks about over ``$SRV.STATS``.
MONITORED_SERVICES: Final = (CATALOG, STORAGE, LINEAGE, SCORING, WEBHOOKS)


# Requests that only read, and answer in milliseconds: a caller that got no answer within its first-attempt wait
# (the replica that took it died mid-call) sends it once more, and another replica answers. Reads that may take
# long on purpose (a regex search, an upstream check) and anything that changes state (a token lease spends
# calls) are not here.
# Presigned ranged-read links of a package's files in the bucket (``RangeLinksQuery`` → ``RangeLinks``): scoring-svc
# reads uploaded model files through them for the pickle scan.
PACKAGE_RANGE_LINKS: Final = "storage.package.range_links"

RETRYABLE_READS: Final = frozenset(
    {
        ARTIFACT_GET,
        ARTIFACT_QUERY,
        ARTIFACT_BY_NAME,
        ARTIFACT_AUDIT,
        ARTIFACT_PACKAGE,
        ARTIFACT_DOWNLOAD,
        AUTH_REVOCATIONS,
        USER_LIST,
        PACKAGE_STATUS,
        PACKAGE_FILES,
        PACKAGE_SIZES,
        PACKAGE_RANGE_LINKS,
        LINEAGE_GRAPH,
        LINEAGE_PARENTS,
        LINEAGE_COST,
        RATING_READ,
        RATING_REPORT,
        WEBHOOK_LIST,
        WEBHOOK_DELIVERIES,
    }
)


# What a caller may send again when its replica may have died with it: the reads above, and a token lease. A lease
# sent twice may reserve a token's uses twice, the first reservation dying with its replica: the token then ends
# up to one lease's worth of calls early, never late, where not resending fails the user's request after the
# whole wait.
RESENDABLE: Final = RETRYABLE_READS | {AUTH_LEASE}


# Writes that carry an idempotency key and are run once per key (``svckit.idempotency``): the answering service
# records each outcome in the same transaction as the write's effect, so a caller whose replica or NATS node died
# with the write sends it again with the same key, and gets the first outcome replayed (or the write run by the
# replica that took it over). Only writes whose store settles the key with the effect belong here, and whose
# other steps, run again by an attempt that took over a dead one's, are idempotent (an artifact deletion's forgets).
IDEMPOTENT_WRITES: Final = frozenset(
    {USER_CREATE, USER_DELETE, USER_GRANT, ARTIFACT_DELETE, WEBHOOK_CREATE, WEBHOOK_DELETE}
)


# Subjects whose reply is ``contracts.base.Encoded``: the JSON array of ``ArtifactMetadata`` the API answers, built
# by the catalog from encoded contract models and passed on by the gateway as it is (``Bus.call_encoded``).
ENCODED_REPLIES: Final = frozenset({ARTIFACT_BY_REGEX})


def reset_subject(service: str) -> str:
    """The reset subject a service answers."""
    return f"{service}.admin.reset"
