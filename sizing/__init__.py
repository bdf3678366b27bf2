"""GPU memory arithmetic: weights, reserve and KV cache per GPU, for one architecture on one GPU at one TP and one
engine step size (max_num_batched_tokens, which sizes the activation reserve).

Pure functions of catalog data; where a stack's models go (pools, TP, price) is decided in fleet/placement.py, and
what vLLM runs on which GPU (capability, batch defaults) is catalog/vllm_hardware.py.
"""
