"""Training: the model-agnostic loop, its schedule (logs, sheets, evaluation, checkpoints), EMA, growth and the run
directory."""
