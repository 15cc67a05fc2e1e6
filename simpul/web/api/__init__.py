"""HTTP API blueprints (thin: parse, call one core function, serialise)."""
