"""The operations CLI: deploy, smoke-test, usage plans, keys, the local stage and the rehearsal."""
