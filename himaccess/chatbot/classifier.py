"""Which intent a message has: a small linear model trained from the phrases shipped with the product.

Nothing is downloaded. The training phrases are ``data/intents_train.yaml``
(written for the product, in Hindi, English and romanised Hindi; see
``data/SOURCES.md``); the held-out phrases in ``data/intents_eval.yaml`` and
``data/intents_test.yaml`` are never trained on and only measure the model
(``bench/chatbot_quality.py``).

The model is multinomial logistic regression over the hashed features of
``features.vector``, fitted by full-batch gradient descent (Adam, L2
penalty) in numpy: about a second for the shipped phrases. It is fitted on
first use in each process and kept on disk under ``DATA_DIR/chatbot/``,
named by a hash of the phrases and of this module's settings, so later
processes load it in milliseconds and a change of phrases refits it
(docs/decisions/1100).

A prediction carries the probability of the best intent and the share of the
message's features the model has seen in training (``known``): gibberish and
messages about nothing the product does score low on both.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from django.conf import settings

from himaccess.chatbot import features

DATA = Path(__file__).resolve().parent / "data"
TRAIN_PATH = DATA / "intents_train.yaml"
EVAL_PATH = DATA / "intents_eval.yaml"
# Written after the training phrases were last changed; only ever measured (data/SOURCES.md).
TEST_PATH = DATA / "intents_test.yaml"
# Changing how features are made or how the model is fitted must refit cached models.
MODEL_VERSION = "softmax-v1:dims=18:grams=w,b,c2-4:l2=1e-6:steps=120:lr=0.05"
L2 = 1e-6
STEPS = 120
LEARNING_RATE = 0.05
SEED = 1100


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    # Share of the message's feature weight that the model saw in training (0..1).
    known: float
    ranked: tuple[tuple[str, float], ...]


def read_phrases(path: Path) -> list[tuple[str, str, str]]:
    """(intent, language, phrase) for every phrase of a phrase file."""
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (intent, language, phrase)
        for intent, by_language in data.items()
        for language, phrases in by_language.items()
        for phrase in phrases
    ]


class IntentModel:
    def __init__(self, intents: list[str], columns: dict[int, int], weights: Any, bias: Any) -> None:
        self.intents = intents
        self.columns = columns
        self.weights = weights
        self.bias = bias

    def predict(self, message: str) -> Prediction:
        vector = features.vector(features.words(message))
        scores = self.bias.copy()
        known = 0.0
        for bucket, weight in vector.items():
            column = self.columns.get(bucket)
            if column is not None:
                scores += self.weights[column] * weight
                known += weight * weight
        scores -= scores.max()
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities)
        ranked = tuple((self.intents[i], float(probabilities[i])) for i in order)
        return Prediction(ranked[0][0], ranked[0][1], known, ranked)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        buckets = np.array(sorted(self.columns, key=self.columns.__getitem__), dtype=np.int64)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        os.close(handle)
        np.savez(
            temporary,
            intents=np.array(self.intents),
            buckets=buckets,
            weights=self.weights,
            bias=self.bias,
        )
        # Atomic: another process never loads half a file.
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(path, allow_pickle=False) as stored:
            buckets = stored["buckets"].tolist()
            return cls(
                [str(i) for i in stored["intents"]],
                {int(bucket): column for column, bucket in enumerate(buckets)},
                stored["weights"],
                stored["bias"],
            )


def fit(examples: list[tuple[str, str]]) -> IntentModel:
    """Fit the model to (phrase, intent) pairs."""
    intents = sorted({intent for _phrase, intent in examples})
    label = {intent: i for i, intent in enumerate(intents)}
    columns: dict[int, int] = {}
    indptr, indices, data, targets = [0], [], [], []
    for phrase, intent in examples:
        vector = features.vector(features.words(phrase))
        if not vector:
            continue
        for bucket, weight in vector.items():
            indices.append(columns.setdefault(bucket, len(columns)))
            data.append(weight)
        indptr.append(len(indices))
        targets.append(label[intent])
    rows, classes, width = len(targets), len(intents), len(columns)
    index = np.array(indices, dtype=np.int64)
    value = np.array(data, dtype=np.float32)
    starts = np.array(indptr[:-1], dtype=np.int64)
    row_of = np.repeat(np.arange(rows), np.diff(np.array(indptr)))
    truth = np.zeros((rows, classes), dtype=np.float32)
    truth[np.arange(rows), targets] = 1.0
    # The non-zeros in column order, for the gradient's sum per feature: sorted once, not every step.
    by_column = np.argsort(index, kind="stable")
    column_ids, column_starts = np.unique(index[by_column], return_index=True)
    value_by_column = value[by_column][:, None]
    row_by_column = row_of[by_column]
    value_by_row = value[:, None]

    weights = np.zeros((width, classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        scores = np.add.reduceat(weights[index] * value_by_row, starts, axis=0) + bias
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - truth) / rows
        gradient = L2 * weights
        gradient[column_ids] += np.add.reduceat(value_by_column * error[row_by_column], column_starts, axis=0)
        gradient_bias = error.sum(axis=0)
        for parameter, grad, first, second in (
            (weights, gradient, moments[0], moments[1]),
            (bias, gradient_bias, moments[2], moments[3]),
        ):
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            corrected = LEARNING_RATE * np.sqrt(1 - beta2**step) / (1 - beta1**step)
            parameter -= corrected * first / (np.sqrt(second) + epsilon)
    return IntentModel(intents, columns, weights, bias)


def training_examples(path: Path = TRAIN_PATH) -> list[tuple[str, str]]:
    return [(phrase, intent) for intent, _language, phrase in read_phrases(path)]


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(path: Path = TRAIN_PATH) -> Path:
    return Path(settings.DATA_DIR) / "chatbot" / f"intents-{_fingerprint(path)}.npz"


_lock = threading.Lock()
# Fitted or loaded models of this process, by the fingerprint of their phrases and settings.
_models: dict[str, IntentModel] = {}


def _load_or_fit(cached: Path) -> IntentModel:
    if cached.exists():
        try:
            return IntentModel.load(cached)
        except (OSError, ValueError, KeyError):
            pass  # a damaged file is refitted and replaced
    fitted = fit(training_examples())
    # A read-only data directory: the next process fits again.
    with contextlib.suppress(OSError):
        fitted.save(cached)
    return fitted


def model() -> IntentModel:
    """The shipped model: this process's copy, else the one on disk, else fitted now (and saved)."""
    fingerprint = _fingerprint(TRAIN_PATH)
    with _lock:
        found = _models.get(fingerprint)
        if found is None:
            found = _models[fingerprint] = _load_or_fit(cache_path())
        return found


def predict(message: str) -> Prediction:
    return model().predict(message)


def save() -> Path:
    """Write this process's model where every process of this installation looks for it."""
    path = cache_path()
    if not path.exists():
        model().save(path)
    return path
