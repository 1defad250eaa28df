"""Durable copy jobs on a JetStream work-queue stream, shared by every storage-svc replica.

A job stays in the stream until a replica acknowledges it. While a copy runs the worker reports progress
(``in_progress``) so the job is not redelivered; if the replica dies, JetStream redelivers the job after
``ack_wait`` seconds and another replica (or the restarted one) resumes it.
"""

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from contracts.storage import CopyJob
from contracts.subjects import COPY_JOB, COPY_JOBS_STREAM, EVENTS_STREAM
from contracts.webhooks import RegistryEvent, event_subject

DURABLE = "storage-copy"
RETRY_DELAY = 5.0
FETCH_RETRY_SECONDS = 1.0  # after JetStream refused a fetch (a node restarting)
MAX_ATTEMPTS = 10

Handler = Callable[[CopyJob], Awaitable[None]]
GiveUp = Callable[[CopyJob, str], Awaitable[None]]

log = structlog.get_logger()


class JetStreamJobs:
    """``JobQueue`` port and the worker loop that consumes it."""

    def __init__(self, nc: NATS, *, ack_wait: float, replicas: int = 1) -> None:
        self._js = nc.jetstream()
        self._ack_wait = ack_wait
        self._replicas = replicas

    async def setup(self) -> None:
        """Create (or update) the work-queue stream; idempotent across replicas."""
        config = StreamConfig(
            name=COPY_JOBS_STREAM,
            subjects=[COPY_JOB],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            num_replicas=self._replicas,
        )
        try:
            await self._js.add_stream(config)
        except BadRequestError:
            await self._js.update_stream(config)

    async def enqueue(self, artifact_id: str, generation: int) -> None:
        """Queue a copy job (persisted by JetStream before this returns)."""
        job = CopyJob(artifact_id=artifact_id, generation=generation)
        await self._js.publish(COPY_JOB, job.model_dump_json().encode(), stream=COPY_JOBS_STREAM)

    async def announce(self, event: RegistryEvent) -> None:
        """Store a registry event (a copy finished or failed) in the events stream webhook-svc reads; a failure
        is logged, never raised (the copy's outcome is already recorded)."""
        try:
            await self._js.publish(
                event_subject(event.type), event.model_dump_json().encode(), stream=EVENTS_STREAM, timeout=2.0
            )
        except (NatsError, TimeoutError) as error:
            log.warning("registry_event_not_recorded", type=event.type, error=repr(error))

    async def depth(self) -> int:
        """Copy jobs in the stream: queued or running, not yet acknowledged."""
        info = await self._js.stream_info(COPY_JOBS_STREAM)
        return int(info.state.messages)

    async def purge(self) -> None:
        """Drop every queued job."""
        try:
            await self._js.purge_stream(COPY_JOBS_STREAM)
        except NotFoundError:
            return

    async def work(self, handle: Handler, give_up: GiveUp, stop: asyncio.Event, concurrency: int) -> None:
        """Run jobs until ``stop`` is set, at most ``concurrency`` at a time.

        A job that fails (upstream or S3 unreachable, a crash) is delivered again after a delay; after
        ``MAX_ATTEMPTS`` deliveries ``give_up`` records the failure and the job is dropped.
        """
        consumer = ConsumerConfig(ack_wait=self._ack_wait, max_ack_pending=max(concurrency * 4, 16))
        subscription = await self._js.pull_subscribe(
            COPY_JOB, durable=DURABLE, stream=COPY_JOBS_STREAM, config=consumer
        )
        slots = asyncio.Semaphore(concurrency)
        running: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            await slots.acquire()
            try:
                messages = await subscription.fetch(1, timeout=1.0)
            except TimeoutError:  # nats-py's, or asyncio's when its deadline ran out on a busy loop: nothing came
                slots.release()
                continue
            except NatsError as error:  # JetStream unavailable for a moment (a node restarting): try again
                slots.release()
                log.warning("copy_jobs_not_fetched", error=repr(error))
                await asyncio.sleep(FETCH_RETRY_SECONDS)
                continue
            task = asyncio.create_task(self._run(messages[0], handle, give_up))
            running.add(task)
            task.add_done_callback(running.discard)
            task.add_done_callback(lambda _: slots.release())
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await subscription.unsubscribe()

    async def _run(self, msg: Msg, handle: Handler, give_up: GiveUp) -> None:
        job = CopyJob.model_validate_json(msg.data)
        structlog.contextvars.bind_contextvars(job=job.artifact_id, generation=job.generation)
        beat = asyncio.create_task(self._heartbeat(msg))
        try:
            await handle(job)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            attempts = msg.metadata.num_delivered or 1
            log.warning("copy_failed", attempt=attempts, error=repr(error), exc_info=attempts >= MAX_ATTEMPTS)
            if attempts < MAX_ATTEMPTS:
                await msg.nak(delay=RETRY_DELAY)
                return
            await give_up(job, f"gave up after {attempts} attempts: {error}")
        finally:
            beat.cancel()
        await msg.ack()

    async def _heartbeat(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self._ack_wait / 3)
            await msg.in_progress()
