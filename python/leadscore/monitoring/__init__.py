"""Monitoring: how far data, scores and performance have moved since training."""
