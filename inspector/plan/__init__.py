"""What running a model costs, before it runs: the memory a context needs (weights, KV cache, runtime), the decode
speed its memory bandwidth allows, whether it fits this machine or a common GPU (planner.py), and the guard that
checks it before a session is made (guard.py).  Pure arithmetic on a census: nothing is allocated."""
