"""A cache of manifest files as the fast reader parsed them, keyed by each file's bytes.

One pack file per manifest folder under ``$XDG_CACHE_HOME/intentwatch/manifests`` (else
``~/.cache/intentwatch/manifests``) maps the BLAKE2b hash of a file's bytes to what parsing
them gave: the line of the document's first node and the document as JSON. The loader still
validates every document (pydantic-core, from the cached JSON), so a change of the models
can never let a stale manifest through; what the cache saves is reading YAML.

- Content-addressed: an edited file has a new hash and is parsed again; a renamed one is not.
- A pack records a fingerprint of the reader (this format, ``fast_reader.py``'s source, the
  ryaml, PyYAML and orjson versions); another fingerprint, and the pack is ignored.
- A pack ends with the BLAKE2b hash of everything before it: a truncated or corrupted pack
  is ignored whole, never read in part.
- Written to a temporary file in the same folder and renamed over the old pack (atomic on
  POSIX): a concurrent run reads the old pack or the new one, never half of one.
- Used only in a folder this user owns and nobody else may write (made 0700), as ssh does
  with its keys: another user's cache could hand us any manifest.
- A pack unused for ``KEEP_DAYS`` days (a folder gone, a test's temporary one) is deleted
  when another is written; a pack in use is touched once a day.
- Off with ``INTENTWATCH_MANIFEST_CACHE=off`` (or ``validate --no-cache``); a path there moves it.
"""

import os
import struct
import tempfile
import time
from hashlib import blake2b
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from intentwatch.pipeline.io import fast_reader

MAGIC = b"intentwatch manifest cache 1\n"
_ENTRY = struct.Struct("<16sII")  # file hash, first line, JSON length
_DIGEST = 32
KEEP_DAYS = 30
DAY = 86400


Pack = dict[bytes, tuple[int, bytes]]  # one folder's pack: file hash -> (first line, document as JSON)


class ManifestCache:
    """Packs under ``root``; ``fingerprint`` names the reader that wrote them."""

    def __init__(self, root: Path, fingerprint: bytes):
        self.root = root
        self.fingerprint = blake2b(fingerprint, digest_size=16).digest()

    @classmethod
    def default(cls) -> "ManifestCache | None":
        """The user's cache for this version of the fast reader, or None if turned off or unsafe."""
        where = os.environ.get("INTENTWATCH_MANIFEST_CACHE", "")
        if where.lower() in ("off", "0", "false", "no"):
            return None
        root = Path(where) if where else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "intentwatch" / "manifests"
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = root.stat()
        except OSError:
            return None
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None
        versions = []
        for package in ("ryaml", "pyyaml", "orjson"):
            try:
                versions.append(f"{package} {version(package)}")
            except PackageNotFoundError:
                versions.append(f"{package} ?")
        return cls(root, MAGIC + Path(fast_reader.__file__).read_bytes() + "\n".join(versions).encode())

    def _pack_path(self, folder: Path) -> Path:
        return self.root / (blake2b(str(folder.resolve()).encode(), digest_size=16).hexdigest() + ".pack")

    def load(self, folder: Path) -> Pack:
        """The pack of ``folder``; empty if there is none, or it is another reader's, cut short or corrupted."""
        path = self._pack_path(folder)
        try:
            data = path.read_bytes()
            entries = self.decode(data)
            if entries and path.stat().st_mtime < time.time() - DAY:
                os.utime(path)  # in use: not pruned
        except OSError:
            return {}
        return entries

    def decode(self, data: bytes) -> Pack:
        head = len(MAGIC) + 16
        if len(data) < head + _DIGEST or data[:len(MAGIC)] != MAGIC or data[len(MAGIC):head] != self.fingerprint:
            return {}
        if blake2b(memoryview(data)[:-_DIGEST], digest_size=_DIGEST).digest() != data[-_DIGEST:]:
            return {}
        entries: Pack = {}
        view, at, end = memoryview(data), head, len(data) - _DIGEST
        while at < end:
            if at + _ENTRY.size > end:
                return {}
            key, line, size = _ENTRY.unpack_from(data, at)
            at += _ENTRY.size
            if at + size > end:
                return {}
            entries[key] = (line, view[at:at + size])  # a slice of the pack: no copy per document
            at += size
        return entries

    def encode(self, entries: Pack) -> bytes:
        parts = [MAGIC, self.fingerprint]
        for key, (line, doc) in entries.items():
            parts += (_ENTRY.pack(key, line, len(doc)), doc)
        body = b"".join(parts)
        return body + blake2b(body, digest_size=_DIGEST).digest()

    def save(self, folder: Path, entries: Pack) -> None:
        """Replace ``folder``'s pack with ``entries``; a failure to write leaves the old pack (or none)."""
        target = self._pack_path(folder)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=target.stem, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.encode(entries))
            os.replace(tmp, target)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self.prune()

    def prune(self) -> None:
        """Delete packs unused for ``KEEP_DAYS`` days, and temporary files a killed run left (a day old)."""
        now = time.time()
        for p in self.root.iterdir():
            try:
                age = now - p.stat().st_mtime
                if (p.suffix == ".pack" and age > KEEP_DAYS * DAY) or (p.suffix == ".tmp" and age > DAY):
                    p.unlink()
            except OSError:
                pass
