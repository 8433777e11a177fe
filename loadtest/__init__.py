"""Load tests that gate promotion: a Locust step load, per-step SLOs, a report people can read.

`python -m loadtest.run` drives a run, `python -m loadtest.gate DIR` judges its CSV output, and
`python -m loadtest.bench` compares the serving backends. Only `locustfile.py` imports Locust, so
everything else imports cleanly in the moto/pytest process (Locust patches the standard library).
"""
