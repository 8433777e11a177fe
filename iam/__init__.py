"""IAM bootstrap: render, lint and audit the GitHub OIDC roles of iam/bootstrap.yaml."""
