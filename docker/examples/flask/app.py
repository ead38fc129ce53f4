"""A small Flask service: the kind of project layerbench's worked example measures."""
from flask import Flask, jsonify

GREETING = "hello from the flask example"

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok", greeting=GREETING)


@app.get("/")
def index():
    return jsonify(message=GREETING)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
