"""Advising: the advisor (evaluate, rank, plan), what it is built from, and advising a whole portfolio."""
