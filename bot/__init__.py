"""geoalert: watch geopolitical news and alert Telegram subscribers."""

__version__ = "0.1.0"
