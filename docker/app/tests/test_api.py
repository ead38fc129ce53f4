"""Developer tests of the bundled API (run with pytest + httpx outside the image)."""
from fastapi.testclient import TestClient

from app.main import app, card

client = TestClient(app)


def test_health_answers_ok():
    assert client.get("/health").json()["status"] == "ok"


def test_predict_classifies_the_stored_example():
    answer = client.post("/predict", json={"features": card["example"]}).json()
    assert 0 <= answer["label"] <= 9


def test_predict_rejects_wrong_feature_count():
    assert client.post("/predict", json={"features": [1.0, 2.0]}).status_code == 422
