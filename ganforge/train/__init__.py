"""Training: the model-agnostic loop, EMA, checkpoints and logs."""
