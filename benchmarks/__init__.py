"""geoalert benchmarks (see benchmarks/run_all.py). Not part of the installed package."""
