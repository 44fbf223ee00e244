"""The edges: codecs, dead letters, Kafka, manifests, input adapters and output formats."""

# The input formats (adapters/__init__.py opens each): named here, where the commands' help reads
# them without importing the adapters.
INPUT_FORMATS = ("native", "otel-json", "otel-proto", "cloudtrail", "mapped", "transcript")
