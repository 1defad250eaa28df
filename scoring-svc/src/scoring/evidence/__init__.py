"""Evidence gathering: the steps that observe something real (running code, reading files) for a metric."""
