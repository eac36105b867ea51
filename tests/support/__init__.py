"""Test helpers shared by test modules (fixtures are imported explicitly)."""
