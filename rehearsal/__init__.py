"""The pipeline rehearsed on one machine: `make rehearse` (pipeline.py), against a local AWS
endpoint (local_aws/) and a local API Gateway + Lambda per stage (gateway/), with every AWS call
judged against the IAM role its step would assume (iam_audit/). See README.md here.

The same `make` targets the workflows run (plan.py), in the same order, with the same environment
variables. Nothing outside this package imports it.
"""
