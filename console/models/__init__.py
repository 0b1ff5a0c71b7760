"""Frozen dataclasses the screens render, one module per backend."""
