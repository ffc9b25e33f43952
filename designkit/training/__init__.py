"""Model training, scoring and model cards, above the scenarios they learn from.

    python -m designkit.training train [--quick] [--evaluate-only]   # the turn-taking model
    python -m designkit.training language-probe                      # the language ID head

    dialogues       which generated dialogues to train and score on (DialogueSet, TRAIN, HELD_OUT)
    targets         training targets from ground truth, per 50 ms step
    config          TrainConfig (what a run depends on)
    train           fitting the turn-taking network
    pause_scoring   shift/hold outcomes at pauses, latency vs cut-ins, AUC
    model_card      the model beside its baselines on held-out dialogues, as a model card
    language_probe  fitting the language ID head on generated speech
"""
