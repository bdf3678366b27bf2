"""GPU memory arithmetic: weights, reserve and KV cache per GPU, for one architecture on one GPU at one TP.

Pure functions of catalog data; where a stack's models go (pools, TP, price) is decided in fleet/placement.py.
"""
