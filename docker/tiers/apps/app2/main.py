"""app2: one of the two applications of seed 001, on the shared tiers f1–f3."""
import json
import pathlib

from fastapi import FastAPI

CONFIG = json.loads((pathlib.Path(__file__).parent / "config.json").read_text())
MODEL = pathlib.Path("/models/model.bin")
app = FastAPI(title=CONFIG["name"])


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "app": CONFIG["name"], "model_bytes": MODEL.stat().st_size}


@app.get("/score")
def score(amount: float = 0.0) -> dict:
    return {"amount": amount, "suspicious": amount * 1e-4 > CONFIG["threshold"]}
