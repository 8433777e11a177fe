"""Training, evaluation and gating of the model served by app/."""
