"""Expected use: model specifications, fitted models and expected counts."""
