"""The pure detection engine: one event in, outputs out; no I/O, no clock."""
