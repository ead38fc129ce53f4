"""app1: one of the two applications of seed 001, on the shared tiers f1–f3."""
import json
import pathlib

from fastapi import FastAPI

CONFIG = json.loads((pathlib.Path(__file__).parent / "config.json").read_text())
MODEL = pathlib.Path("/models/model.bin")
app = FastAPI(title=CONFIG["name"])


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "app": CONFIG["name"], "model_bytes": MODEL.stat().st_size}
