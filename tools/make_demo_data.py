#!/usr/bin/env python3
"""Writes data/demo/{train,validation}.tsv: the small sentiment data set of the default job.

    python3 tools/make_demo_data.py

Sentences are composed from hand-written templates and phrases (written for this project),
labelled positive or negative by the phrase they carry; a fixed seed makes the files
reproducible. Validation uses subjects that never occur in training.
"""
import os
import random

POSITIVE = ["is a delight from start to finish", "left me smiling for days", "works beautifully",
            "is worth every penny", "exceeded all my expectations", "is charming and clever",
            "made the whole evening wonderful", "is the best I have tried this year",
            "is thoughtful, warm and funny", "feels fresh and genuinely moving",
            "was a pleasure to use", "deserves every bit of praise", "is beautifully made",
            "surprised me in the best way", "is a joy"]
NEGATIVE = ["is a waste of time", "broke after two days", "bored me to tears", "is not worth the money",
            "fell apart almost immediately", "is clumsy and dull", "made me regret buying it",
            "is the worst I have tried this year", "is loud, slow and frustrating",
            "feels cheap and lifeless", "was a pain to use", "deserves none of the hype",
            "is badly made", "disappointed me in every way", "is a mess"]
TRAIN_SUBJECTS = ["the film", "this movie", "the sequel", "the new phone", "this laptop", "the restaurant",
                  "the hotel", "this book", "the concert", "the coffee maker", "the soundtrack", "the game",
                  "this camera", "the service", "the novel", "the documentary", "the headphones",
                  "the museum tour", "the app", "this keyboard"]
VALIDATION_SUBJECTS = ["the play", "this album", "the bakery", "the tablet", "the series", "the museum"]
OPENERS = ["", "honestly , ", "overall , ", "i think ", "in short , ", "to be fair , "]


def rows(subjects, rng, count):
    out = []
    for i in range(count):
        positive = i % 2 == 0
        phrase = rng.choice(POSITIVE if positive else NEGATIVE)
        sentence = f"{rng.choice(OPENERS)}{rng.choice(subjects)} {phrase} ."
        out.append((sentence, "positive" if positive else "negative"))
    rng.shuffle(out)
    return out


def write(path, rows_):
    with open(path, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for s, label in rows_:
            f.write(f"{s}\t{label}\n")


if __name__ == "__main__":
    rng = random.Random(20261125)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "demo")
    os.makedirs(root, exist_ok=True)
    write(os.path.join(root, "train.tsv"), rows(TRAIN_SUBJECTS, rng, 320))
    write(os.path.join(root, "validation.tsv"), rows(VALIDATION_SUBJECTS, rng, 80))
