"""Pure metric functions of the trust rating: no I/O, every score a float in [0, 1] (docs/metrics.md)."""
