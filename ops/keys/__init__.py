"""API key rotation for the stages: one Secrets Manager secret per stage, staging labels as the
protocol (AWSPENDING while a rotation is in flight, AWSCURRENT, AWSPREVIOUS for the overlap window),
API Gateway keys tagged with the stage and the rotation that made them. See README.md.
"""
