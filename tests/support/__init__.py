"""Helpers shared by the tests: the path to ../shared and the builders of small referentials."""
