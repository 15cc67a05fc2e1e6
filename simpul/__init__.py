"""Simpul: federated registry and metadata catalog of Indonesian public services."""

__version__ = "0.1.0"
