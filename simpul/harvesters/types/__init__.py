"""Source types, one module each, behind ``simpul.harvesters.base.Harvester``; registered by name
in ``simpul.harvesters.BUILTIN``."""
