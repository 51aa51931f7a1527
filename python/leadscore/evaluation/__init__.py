"""How good a score is, in the terms sales cares about, on one shared test set."""
