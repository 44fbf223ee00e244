"""pipeline/hosts/worker/partitions.py: committed offsets are retried while a just-started group coordinator loads."""

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from intentwatch.pipeline.hosts.worker import partitions


class Starting:
    """Answers ``committed`` as a coordinator still loading does, ``fails`` times, then the offsets."""

    def __init__(self, fails: int, code: int = KafkaError.NOT_COORDINATOR):
        self.fails, self.code, self.calls = fails, code, 0

    def committed(self, partitions, timeout):
        self.calls += 1
        if self.calls <= self.fails:
            raise KafkaException(KafkaError(self.code))
        return partitions


def test_committed_retries_a_coordinator_that_is_still_loading(monkeypatch):
    monkeypatch.setattr(partitions.time, "sleep", lambda s: None)
    parts = [TopicPartition("intentwatch.credentials", 0)]
    for code in (KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS):
        c = Starting(fails=2, code=code)
        assert partitions._committed(c, parts) == parts and c.calls == 3


def test_committed_gives_up_on_other_errors_and_after_its_attempts(monkeypatch):
    monkeypatch.setattr(partitions.time, "sleep", lambda s: None)
    parts = [TopicPartition("intentwatch.credentials", 0)]
    with pytest.raises(KafkaException):
        partitions._committed(Starting(fails=1, code=KafkaError.TOPIC_AUTHORIZATION_FAILED), parts)
    with pytest.raises(KafkaException):
        partitions._committed(Starting(fails=20), parts, attempts=3)


class Restarting:
    """Answers ``get_watermark_offsets`` as a broker loading its partitions after a restart, ``fails`` times."""

    def __init__(self, fails: int, code: int = KafkaError.NOT_LEADER_FOR_PARTITION):
        self.fails, self.code, self.calls = fails, code, 0

    def get_watermark_offsets(self, tp, timeout):
        self.calls += 1
        if self.calls <= self.fails:
            raise KafkaException(KafkaError(self.code))
        return (0, 42)


def test_watermarks_ride_out_a_broker_that_is_loading(monkeypatch):
    """A rebalance right after an outage (issue 17 finding 5) asked a broker still loading its
    partitions: the assignment callback failed and the worker exited instead of carrying on."""
    monkeypatch.setattr(partitions.time, "sleep", lambda s: None)
    tp = TopicPartition("agent.lifecycle", 3)
    for code in (KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE, KafkaError._TIMED_OUT):
        b = Restarting(fails=3, code=code)
        assert partitions._watermarks(b, tp) == (0, 42) and b.calls == 4
    with pytest.raises(KafkaException):
        partitions._watermarks(Restarting(fails=1, code=KafkaError.TOPIC_AUTHORIZATION_FAILED), tp)


class Fenced:
    """A consumed message carrying the consumer's fatal error as librdkafka hands a fenced static
    member's: code ``_FATAL``, its ``fatal()`` flag False."""

    def error(self):
        return KafkaError(KafkaError._FATAL, "Fatal consumer error: Broker: Static consumer fenced")


def test_a_fatal_code_without_the_fatal_flag_still_ends_the_worker():
    from intentwatch.pipeline.hosts.worker import checkpoints, loop

    assert not KafkaError(KafkaError._FATAL).fatal()  # the flag librdkafka leaves unset here
    assert checkpoints.is_fatal(KafkaError(KafkaError._FATAL))
    assert checkpoints.is_fatal(KafkaError(KafkaError._TRANSPORT, fatal=True))
    assert not checkpoints.is_fatal(KafkaError(KafkaError._TRANSPORT))
    with pytest.raises(loop.WorkerFailed, match="fatal consumer error"):
        loop.Worker._process_batch(object(), [Fenced()])  # raises before it reads anything of the worker


class Reader:
    """A shared topic's reader handing over what ``consume`` gets: records and errors."""

    def __init__(self, batch):
        self.batch = batch

    def consume(self, n, timeout):
        batch, self.batch = self.batch, []
        return batch


def test_a_shared_topic_hands_on_its_readers_errors():
    """Errors reading the credentials or definitions topic went unseen: a fenced or fatal
    reader left the worker judging without the fleet's shared state, and no one told."""
    from confluent_kafka import Message

    from intentwatch.pipeline.hosts.worker.shared import SharedTopic

    records, errors = [], []
    shared = SharedTopic.__new__(SharedTopic)
    shared.topic, shared.handle, shared.on_error = "intentwatch.definitions", records.append, errors.append
    ok = Message(topic="intentwatch.definitions", partition=0, offset=7, value=b"{}")
    eof = Message(topic="intentwatch.definitions", partition=0, offset=8, error=KafkaError(KafkaError._PARTITION_EOF))
    fatal = Message(topic="intentwatch.definitions", partition=1, offset=3, error=KafkaError(KafkaError._FATAL))
    shared.reader = Reader([ok, eof, fatal])
    shared.follow()
    assert records == [ok] and [e.code() for e in errors] == [KafkaError._FATAL]
