"""`python -m bot.cli`: the `geoalert` console script."""

import sys

from bot.cli.app import main

sys.exit(main())
