"""Evicted agents' state records on disk (SQLite), for replay of fleets larger than memory.

One table, agent id -> compressed record; written in batches (one transaction per 512 puts)
so a million evictions do not cost a million fsyncs. The file is scratch space: emptied when a
store opens it, deleted when the store closes.
"""

import sqlite3
import zlib
from pathlib import Path


class SqliteStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("DROP TABLE IF EXISTS agents")  # scratch: what a crashed run left is stale
        self.db.execute("CREATE TABLE agents (id TEXT PRIMARY KEY, record BLOB) WITHOUT ROWID")
        self.db.execute("BEGIN")
        self._uncommitted = 0
        self._count = 0

    def put(self, agent_id: str, record: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO agents VALUES (?, ?)", (agent_id, zlib.compress(record, 1)))
        self._count += 1
        self._uncommitted += 1
        if self._uncommitted >= 512:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self._uncommitted = 0

    def take(self, agent_id: str) -> bytes | None:
        row = self.db.execute("SELECT record FROM agents WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM agents WHERE id = ?", (agent_id,))
        self._count -= 1
        return zlib.decompress(row[0])

    def get(self, agent_id: str) -> bytes | None:
        row = self.db.execute("SELECT record FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else zlib.decompress(row[0])

    def __contains__(self, agent_id: object) -> bool:
        return self.db.execute("SELECT 1 FROM agents WHERE id = ?", (agent_id,)).fetchone() is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "SqliteStore":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
