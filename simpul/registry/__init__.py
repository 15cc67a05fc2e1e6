"""The registry, Simpul's core: record model, storage, use-cases. It knows nothing of HTTP; the
web app (``simpul.web``) and the command line call it."""
