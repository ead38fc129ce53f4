"""Loads the exported classifier (model/model.json) into a scikit-learn estimator."""
import json
import os
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

MODEL_PATH = Path(os.environ.get("MODEL_PATH", Path(__file__).resolve().parent.parent / "model" / "model.json"))


def load_model(path: Path = MODEL_PATH) -> tuple[LogisticRegression, dict]:
    card = json.loads(path.read_text(encoding="utf-8"))
    model = LogisticRegression()
    model.classes_ = np.asarray(card["classes"])
    model.coef_ = np.asarray(card["coef"], dtype=float)
    model.intercept_ = np.asarray(card["intercept"], dtype=float)
    model.n_features_in_ = model.coef_.shape[1]
    return model, card
