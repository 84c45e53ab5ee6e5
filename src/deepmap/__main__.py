"""`python -m deepmap ...` (and `accelerate launch -m deepmap train ...`)."""

import sys

from deepmap.cli import main

sys.exit(main())
