"""heritagekit: AI-assisted digitization and creative design of cultural heritage crafts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("heritagekit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
