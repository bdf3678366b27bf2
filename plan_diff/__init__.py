"""The offline plan diff of a stack between a git ref and the working tree (`make plan-diff`)."""
