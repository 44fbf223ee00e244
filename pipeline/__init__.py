"""The flow of intentwatch: the engine that runs detectors over events, response policy,
codecs and dead letters, replay, the simulator and evaluation, Kafka IO and the CLI."""
