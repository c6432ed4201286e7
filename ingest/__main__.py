"""`python -m ingest` does what `footnote ingest` does."""

import sys

from ingest.cli import main

sys.exit(main())
