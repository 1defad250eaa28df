"""Scoring service: computes the trust rating of model artifacts."""
