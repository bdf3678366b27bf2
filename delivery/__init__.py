"""The environments CI previews and deploys, read from the stack files, and what a deploy job must wait for.

environments.py: every `Pulumi.<stack>.yaml` as a workflow matrix entry (region, GitHub environments, policy
config, secrets provider, deploy order); waits.py: the longest chain of waits in a rendered plan, which a
deploy job's timeout must outlast. `python -m delivery` prints them (`matrix` is what the workflows read).
"""
