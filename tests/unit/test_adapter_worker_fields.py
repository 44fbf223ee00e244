"""The worker counts action field names outside the contract in its status file, and under
worker.strict_fields dead-letters those actions (no broker: messages handed to one batch)."""

import orjson
import pytest

from intentwatch.pipeline.hosts.worker import Worker
from tests.factories import action
from tests.offline_worker import Message as Msg, offline_worker


@pytest.fixture
def worker(tmp_path):
    def make(strict: bool) -> Worker:
        return offline_worker(str(tmp_path), worker={"strict_fields": strict})
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
