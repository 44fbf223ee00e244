"""The lab: a simulated fleet with labelled attacks, and the scoring of alerts against it."""
