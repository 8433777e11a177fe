"""A local Lambda execution environment: the one the package check and the local stage both run.

`worker.Worker` starts `python -I -S -B bootstrap.py` (no site-packages, no environment of ours,
no bytecode writes) on a read-only unzipped package plus the runtime layer, imports the function's
handler as Lambda's init phase does, and then answers one invocation at a time. `events` turns
HTTP requests into API Gateway REST proxy events and the function's answers back into responses.
"""
