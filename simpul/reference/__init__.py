"""Reference data every layer may read: Kemendagri areas, code lists, RDF namespaces and formats.

The bottom layer: it imports nothing else from Simpul but the base modules."""
