"""The operations CLI: build, check, deploy, smoke-test and roll back a stage; usage plans and keys.

What the workflows run on GitHub (through `make`). How it is rehearsed on one machine lives apart,
in the package `rehearsal`, which uses ops and never the other way round.
"""
