"""Unit tests of the harvester: backoff, windows, datestamps, checkpoints, the loop with a fake client."""
