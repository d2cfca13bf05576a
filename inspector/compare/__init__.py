"""Comparing two models, or every variant in a folder: weight by weight (match.py, weights.py), token by token
and on a text with llama.cpp's figures (tokens.py, text.py, distribution.py), block by block through the
residual stream (stream.py, probed.py, drift.py), both models run by reading.py; variants.py makes the table
a person picks a file from and advice.py says which one to take."""
