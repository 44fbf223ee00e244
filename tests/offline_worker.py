"""A worker with no broker, fed consumed messages by hand: for tests and benchmarks/worker_batch.py.

``offline_worker`` builds a ``Worker`` whose bootstrap address nothing listens on and which
serves no metrics; its ``_process_batch`` is then handed ``Message``s directly."""

from intentwatch.pipeline.hosts.worker import Worker
from intentwatch.pipeline.settings import Settings


class Message:
    """What the worker reads of a confluent-kafka ``Message``."""

    __slots__ = ("_topic", "_value", "_key", "_offset", "_partition")

    def __init__(self, topic: str, value: bytes, key: bytes | None, offset: int, partition: int = 0):
        self._topic, self._value, self._key, self._offset, self._partition = topic, value, key, offset, partition

    def error(self):
        return None

    def topic(self):
        return self._topic

    def partition(self):
        return self._partition

    def offset(self):
        return self._offset

    def key(self):
        return self._key

    def value(self):
        return self._value


def offline_worker(state_dir: str, worker: dict | None = None, engine: dict | None = None) -> Worker:
    """A worker keeping its state under ``state_dir``; ``worker`` / ``engine`` add settings of those sections."""
    s = Settings.model_validate({"kafka": {"bootstrap_servers": "127.0.0.1:1", "extra": {"log_level": "0"}},
                                 "worker": {"metrics_port": None, "state_dir": state_dir, **(worker or {})},
                                 "engine": engine or {}})
    return Worker(s)
