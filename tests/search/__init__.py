"""Tests of site search (hub/search/)."""
