"""The model lifecycle: retrain, compare with the champion, promote or keep, log the decision."""
