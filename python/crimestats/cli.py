"""The ``crimestats`` command (:mod:`crimestats.report.cli`); ``python -m crimestats.cli`` too."""

import sys

from .report.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
