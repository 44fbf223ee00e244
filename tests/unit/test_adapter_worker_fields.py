"""The worker counts action field names outside the contract in its status file, and under
worker.strict_fields dead-letters those actions (no broker: messages handed to one batch)."""

import orjson
import pytest

from intentwatch.pipeline.hosts.worker import Worker
from intentwatch.pipeline.settings import Settings
from tests.factories import action


class Msg:
    """What the worker reads of a consumed message."""

    def __init__(self, topic: str, value: bytes, key: bytes, offset: int):
        self._topic, self._value, self._key, self._offset = topic, value, key, offset

    def error(self):
        return None

    def topic(self):
        return self._topic

    def partition(self):
        return 0

    def offset(self):
        return self._offset

    def key(self):
        return self._key

    def value(self):
        return self._value


@pytest.fixture
def worker(tmp_path):
    def make(strict: bool) -> Worker:
        s = Settings.model_validate({"kafka": {"bootstrap_servers": "127.0.0.1:1", "extra": {"log_level": "0"}},
                                     "worker": {"metrics_port": None, "strict_fields": strict,
                                                "state_dir": str(tmp_path)}})
        return Worker(s)
    return make


def _batch(w: Worker) -> None:
    docs = [orjson.loads(action(tool="zendesk.get_ticket").model_dump_json()) for _ in range(3)]
    docs[1]["data_domian"] = "pii"
    docs[2]["credentialId"] = "key-1"
    w._process_batch([Msg(w.topics.actions, orjson.dumps(d), d["agent_id"].encode(), i) for i, d in enumerate(docs)])


def test_counted_in_the_status_file(worker, tmp_path):
    w = worker(False)
    _batch(w)
    assert w.stats["actions"] == 3 and w.stats.get("dead_letters", 0) == 0
    w._write_status([])
    status = orjson.loads((tmp_path / f"{w.settings.worker.instance}.status.json").read_bytes())
    assert status["unknown_fields"] == {"data_domian": 1, "credentialId": 1}


def test_strict_fields_dead_letters_them(worker):
    w = worker(True)
    _batch(w)
    assert w.stats["actions"] == 1 and w.stats["dead_letters"] == 2
