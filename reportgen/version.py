"""The package's version, in a module of its own so that any layer may import it (the package
root imports the Python API, which stands at the top)."""

__version__ = "0.1.0"
