"""Comparing two models, or every variant in a folder: weight by weight (match.py, weights.py) and token by
token (tokens.py); variants.py makes the table a person picks a file from."""
