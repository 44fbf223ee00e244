"""The hosts that run the engine: replay over files, the streaming worker on Kafka."""
