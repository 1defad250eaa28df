"""Adapters: S3, the index store, upstream fetchers, the job queue."""
