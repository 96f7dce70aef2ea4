"""Training: scenarios, the step-through demo and the quiz."""
