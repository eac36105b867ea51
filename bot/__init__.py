"""geoalert: watch geopolitical news and alert Telegram subscribers."""

import sys

__version__ = "0.1.0"

# httpx imports its command-line client (click, rich, pygments: about 9 MB and 0.15 s) whenever
# those packages happen to be installed, as they are beside the test tools. geoalert never runs
# that client; a None entry makes its import fail, and httpx then defines a stub in its place.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
