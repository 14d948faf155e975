"""The virtual pavilion: a web catalogue of the collection.

``catalog`` (SQL catalogue and collection folder), ``importer`` (transactional import:
thumbnails, IIIF level-0 tiles, IIIF Presentation 3 manifests, derived images with
provenance), ``app`` (FastAPI server), ``security`` (token, upload limits, path
safety), ``export`` (static site), ``pages`` (HTML shared by server and export).
"""
