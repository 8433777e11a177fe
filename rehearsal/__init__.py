"""`make rehearse`: the deploy pipeline on one machine, against a local AWS endpoint.

The same `make` targets the workflows run (plan.py), in the same order, with the same environment
variables, pointed at moto on loopback and at a local stage gateway instead of AWS.
"""
