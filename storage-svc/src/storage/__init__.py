"""storage-svc: artifact bytes in S3, content-addressed, with its own index; copies run as durable jobs."""
