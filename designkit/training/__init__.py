"""Training the turn-taking model: data augmentation, training runs, evaluation and model cards."""
