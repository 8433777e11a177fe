"""Proof that the IAM bootstrap's roles allow what the pipeline does, and nothing it shouldn't.

Every AWS call a rehearsal step makes is recorded (recorder.py, switched on per step through
autorecord/sitecustomize.py), judged against the policy of the role that step assumes in GitHub
Actions (audit.py, with conditions evaluated by evaluate.py), and turned into or checked against
iam/required-calls.json (required_calls.py), which `make verify-account` simulates in an account.
"""
