"""Linked data: the CPSV-AP-ID profile, SKOS code lists, streaming RDF writers, SHACL."""
