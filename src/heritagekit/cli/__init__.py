"""The ``heritage`` command line: thin wrappers around the library."""
