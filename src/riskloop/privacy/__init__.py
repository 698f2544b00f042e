"""Personal data at rest and in logs: envelope encryption, the key provider port, log scrubbing."""
