"""Hearth's Qt front end: shows and asks; all work is done by core."""
