"""Evaluations of Hearth's features on data sets shipped in resources/eval."""
