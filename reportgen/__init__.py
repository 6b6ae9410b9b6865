"""reportgen: a security communication matrix (Markdown) in, auditor-grade reports out."""

__version__ = "0.1.0"
