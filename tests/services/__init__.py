"""Real services for tests and benchmarks, started on loopback and thrown away afterwards."""
