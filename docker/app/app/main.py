"""Model-serving API: a digit classifier behind FastAPI.

    GET  /health   -> {"status": "ok", ...}
    POST /predict  -> {"label": int, "confidence": float}
"""
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from app.model_store import load_model

# The greeting is part of /health's answer; benchmark code edits change this line.
GREETING = "digits classifier ready"

model, card = load_model()
app = FastAPI(title="digits", version="1.0")


class Features(BaseModel):
    features: list[float]


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "greeting": GREETING, "model": card.get("revision")}


@app.post("/predict")
def predict(body: Features) -> dict:
    if len(body.features) != model.n_features_in_:
        raise HTTPException(422, f"expected {model.n_features_in_} features, got {len(body.features)}")
    probabilities = model.predict_proba([body.features])[0]
    best = int(probabilities.argmax())
    return {"label": int(model.classes_[best]), "confidence": round(float(probabilities[best]), 4)}
