"""Train the bundled digit classifier and export it as JSON.

Deterministic: the same scikit-learn version gives the same file byte for byte.
The model is stored as plain numbers (not a pickle) so that it loads in any
scikit-learn version and so that a benchmark "asset swap" can write a refit of it.

    python3 model/train.py --out model/model.json
"""
import argparse
import json

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="model/model.json")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=args.seed
    )
    model = LogisticRegression(max_iter=2000)
    model.fit(x_train, y_train)

    exported = {
        "format": "sklearn-linear-classifier/v1",
        "estimator": "LogisticRegression",
        "revision": f"seed-{args.seed}",
        "classes": [int(c) for c in model.classes_],
        "coef": [[round(float(w), 6) for w in row] for row in model.coef_],
        "intercept": [round(float(b), 6) for b in model.intercept_],
        "testAccuracy": round(float(model.score(x_test, y_test)), 4),
        "example": [float(v) for v in x_test[0]],
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(exported, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
