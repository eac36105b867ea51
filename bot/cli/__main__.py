"""`python -m bot.cli`: the `geoalert` console script."""

import sys

if __name__ == "__main__":  # not when a parsing process re-imports the main module
    from bot.cli import main

    sys.exit(main())
