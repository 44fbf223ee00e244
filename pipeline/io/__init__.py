"""The edges: codecs, dead letters, Kafka, manifests, input adapters and output formats."""
