#!/usr/bin/env python3
"""Writes data/demo/{train,validation}.tsv, the small sentiment data set of the default job, and
the demo data of the other tasks (data/demo-*; data/demo-lm for causal-lm).

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


# --- the demo data sets of the other tasks -----------------------------------------------

PEOPLE = [("Anna", "Berg"), ("Luis", "Ortega"), ("Mei", "Chen"), ("Omar", "Haddad"), ("Sara", "Lind"),
          ("Tom", "Baker"), ("Ines", "Costa"), ("Ken", "Sato"), ("Lena", "Vogel"), ("Raj", "Patel")]
PEOPLE_VALIDATION = [("Maria", "Rossi"), ("Jan", "Novak"), ("Aiko", "Tanaka")]
CITIES = ["Paris", "Lima", "Oslo", "Cairo", "Sydney", "Toronto", "Madrid", "Nairobi", "New York", "Buenos Aires"]
CITIES_VALIDATION = ["Vienna", "Hanoi", "Cape Town"]
ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Foundation"]
ORGS_VALIDATION = ["Hooli", "Vandelay Imports"]
NER_TEMPLATES = [
    "{P} flew to {C} last week .", "{P} works for {O} in {C} .", "{O} hired {P} .",
    "yesterday {P} met the board of {O} .", "the office of {O} in {C} is closing .", "{P} was born in {C} .",
    "{P} and {Q} founded {O} .", "a storm hit {C} on monday .",
]


def ner_sentence(rng, people, cities, orgs):
    template = rng.choice(NER_TEMPLATES)
    words, tags = [], []
    for token in template.split():
        if token in ("{P}", "{Q}"):
            first, last = rng.choice(people)
            words += [first, last]
            tags += ["B-PER", "I-PER"]
        elif token == "{C}":
            parts = rng.choice(cities).split()
            words += parts
            tags += ["B-LOC"] + ["I-LOC"] * (len(parts) - 1)
        elif token == "{O}":
            parts = rng.choice(orgs).split()
            words += parts
            tags += ["B-ORG"] + ["I-ORG"] * (len(parts) - 1)
        else:
            words.append(token)
            tags.append("O")
    return words, tags


def write_conll(path, sentences):
    with open(path, "w", encoding="utf-8") as f:
        for words, tags in sentences:
            for w, t in zip(words, tags):
                f.write(f"{w} {t}\n")
            f.write("\n")


INTENSITY = [("terrible", 0.0), ("awful", 0.05), ("bad", 0.25), ("weak", 0.3), ("okay", 0.5), ("fine", 0.55),
             ("good", 0.75), ("great", 0.9), ("excellent", 1.0), ("superb", 0.95)]


def regression_rows(rng, subjects, count):
    rows = []
    for _ in range(count):
        word, score = rng.choice(INTENSITY)
        rows.append((f"{rng.choice(OPENERS)}{rng.choice(subjects)} was {word} .", f"{score:.2f}"))
    return rows


TOPICS = {
    "sports": ["the match went to extra time", "the striker scored twice", "the team won the league"],
    "politics": ["parliament passed the budget", "the minister resigned", "voters went to the polls"],
    "technology": ["the new chip is faster", "the app update fixed the bug", "engineers shipped the release"],
    "health": ["the clinic opened a new ward", "doctors recommend more sleep", "the vaccine trial ended"],
}


def multilabel_rows(rng, count):
    rows = []
    names = sorted(TOPICS)
    for _ in range(count):
        chosen = sorted(rng.sample(names, rng.choice([1, 1, 2])))
        clauses = [rng.choice(TOPICS[t]) for t in chosen]
        rows.append({"text": " and ".join(clauses) + " .", "labels": chosen})
    return rows


def pair_rows(rng, subjects, count):
    rows = []
    for i in range(count):
        positive = rng.random() < 0.5
        phrase = rng.choice(POSITIVE if positive else NEGATIVE)
        subject = rng.choice(subjects)
        claim_positive = i % 2 == 0
        claim = f"{subject} is {'good' if claim_positive else 'bad'} ."
        label = "entailment" if positive == claim_positive else "contradiction"
        rows.append((f"{subject} {phrase} .", claim, label))
    return rows


def write_tasks(root, rng):
    import json
    os.makedirs(os.path.join(root, "demo-ner"), exist_ok=True)
    write_conll(os.path.join(root, "demo-ner", "train.conll"), [ner_sentence(rng, PEOPLE, CITIES, ORGS) for _ in range(240)])
    write_conll(os.path.join(root, "demo-ner", "validation.conll"),
                [ner_sentence(rng, PEOPLE_VALIDATION, CITIES_VALIDATION, ORGS_VALIDATION) for _ in range(60)])
    os.makedirs(os.path.join(root, "demo-regression"), exist_ok=True)
    for name, subjects, count in [("train", TRAIN_SUBJECTS, 320), ("validation", VALIDATION_SUBJECTS, 80)]:
        with open(os.path.join(root, "demo-regression", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("sentence\tscore\n")
            for s, score in regression_rows(rng, subjects, count):
                f.write(f"{s}\t{score}\n")
    os.makedirs(os.path.join(root, "demo-multilabel"), exist_ok=True)
    for name, count in [("train", 320), ("validation", 80)]:
        with open(os.path.join(root, "demo-multilabel", f"{name}.jsonl"), "w", encoding="utf-8") as f:
            for row in multilabel_rows(rng, count):
                f.write(json.dumps(row) + "\n")
    os.makedirs(os.path.join(root, "demo-pairs"), exist_ok=True)
    for name, subjects, count in [("train", TRAIN_SUBJECTS, 320), ("validation", VALIDATION_SUBJECTS, 80)]:
        with open(os.path.join(root, "demo-pairs", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("sentence1\tsentence2\tlabel\n")
            for a, b, label in pair_rows(rng, subjects, count):
                f.write(f"{a}\t{b}\t{label}\n")


# Causal language modelling: short logbook entries of an invented harbour, each a document of
# a few lines, and a motto that closes every fourth entry (the line a trained model should
# complete from its first words).
VESSELS = ["the ferry", "a trawler", "the pilot boat", "a small yacht", "the cargo ship", "a tug",
           "the lifeboat", "a fishing skiff"]
WEATHER = ["calm sea and a light breeze", "grey skies and steady rain", "fog until noon", "a strong westerly wind",
           "bright sun over still water", "a cold north wind and high waves"]
ACTIONS = ["came in at dawn", "left before the tide turned", "waited outside the breakwater",
           "unloaded its catch at the east quay", "took on fuel and water", "moored at the old pier"]
MOTTO = "harbour motto: keep the light burning and the log honest."
OPPOSITES = [("hot", "cold"), ("early", "late"), ("open", "closed"), ("full", "empty"), ("high", "low"),
             ("calm", "rough"), ("light", "dark"), ("near", "far"), ("fast", "slow"), ("wet", "dry"),
             ("north", "south"), ("east", "west"), ("up", "down"), ("in", "out"), ("loud", "quiet"),
             ("heavy", "light"), ("long", "short"), ("young", "old"), ("first", "last"), ("deep", "shallow")]


def logbook_entry(rng, day):
    lines = [f"day {day}: {rng.choice(WEATHER)}."]
    for _ in range(rng.randint(1, 3)):
        lines.append(f"{rng.choice(VESSELS)} {rng.choice(ACTIONS)}.")
    if day % 4 == 0:
        lines.append(MOTTO)
    return "\n".join(lines)


def write_lm(root):
    import json
    rng = random.Random(20261202)
    os.makedirs(os.path.join(root, "demo-lm"), exist_ok=True)
    for name, days in [("train", range(1, 161)), ("validation", range(161, 201))]:
        with open(os.path.join(root, "demo-lm", f"{name}.txt"), "w", encoding="utf-8") as f:
            f.write("\n\n".join(logbook_entry(rng, day) for day in days) + "\n")
    pairs = [(f"the opposite of {a} is", f" {b}.") for a, b in OPPOSITES]
    pairs += [(f"the opposite of {b} is", f" {a}.") for a, b in OPPOSITES]
    with open(os.path.join(root, "demo-lm", "opposites.jsonl"), "w", encoding="utf-8") as f:
        for prompt, completion in pairs:
            f.write(json.dumps({"prompt": prompt, "completion": completion}) + "\n")


# Sentence embeddings: each review (anchor) with a plain restatement of it (positive) and the
# same subject's opposite verdict (a hard negative); and pairs of reviews labelled 1 when they
# agree in verdict, 0 otherwise (the contrastive and cosine-similarity losses).
RESTATE_POSITIVE = ["is very good", "is excellent", "is great", "is wonderful", "is lovely"]
RESTATE_NEGATIVE = ["is very bad", "is terrible", "is awful", "is poor", "is dreadful"]


def embedding_triplets(rng, subjects, count):
    rows = []
    for i in range(count):
        positive = i % 2 == 0
        subject = rng.choice(subjects)
        anchor = f"{rng.choice(OPENERS)}{subject} {rng.choice(POSITIVE if positive else NEGATIVE)} ."
        same = RESTATE_POSITIVE if positive else RESTATE_NEGATIVE
        other = RESTATE_NEGATIVE if positive else RESTATE_POSITIVE
        rows.append((anchor, f"{subject} {rng.choice(same)} .", f"{subject} {rng.choice(other)} ."))
    rng.shuffle(rows)
    return rows


def embedding_pairs(rng, subjects, count):
    rows = []
    for i in range(count):
        first, second = rng.random() < 0.5, rng.random() < 0.5
        a = f"{rng.choice(OPENERS)}{rng.choice(subjects)} {rng.choice(POSITIVE if first else NEGATIVE)} ."
        b = f"{rng.choice(OPENERS)}{rng.choice(subjects)} {rng.choice(POSITIVE if second else NEGATIVE)} ."
        rows.append((a, b, "1" if first == second else "0"))
    return rows


def write_embedding(root):
    rng = random.Random(20261203)
    os.makedirs(os.path.join(root, "demo-embedding"), exist_ok=True)
    for name, subjects, count in [("train", TRAIN_SUBJECTS, 320), ("validation", VALIDATION_SUBJECTS, 80)]:
        with open(os.path.join(root, "demo-embedding", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("anchor\tpositive\tnegative\n")
            for row in embedding_triplets(rng, subjects, count):
                f.write("\t".join(row) + "\n")
        with open(os.path.join(root, "demo-embedding", f"{name}-pairs.tsv"), "w", encoding="utf-8") as f:
            f.write("sentence1\tsentence2\tlabel\n")
            for row in embedding_pairs(rng, subjects, count):
                f.write("\t".join(row) + "\n")
    write_retrieval(os.path.join(root, "demo-embedding"))


def write_retrieval(folder):
    """A BEIR-style retrieval folder from the validation triplets: each anchor a query, every
    distinct positive and negative a document, the anchor's positive the relevant one."""
    import json
    with open(os.path.join(folder, "validation.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    documents = []
    for _, positive, negative in rows:
        for text in (positive, negative):
            if text not in documents:
                documents.append(text)
    out = os.path.join(folder, "retrieval")
    os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
    with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for i, (anchor, _, _) in enumerate(rows):
            f.write(json.dumps({"_id": f"q{i}", "text": anchor}) + "\n")
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for i, text in enumerate(documents):
            f.write(json.dumps({"_id": f"d{i}", "title": "", "text": text}) + "\n")
    with open(os.path.join(out, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for i, (_, positive, _) in enumerate(rows):
            f.write(f"q{i}\td{documents.index(positive)}\t1\n")


if __name__ == "__main__":
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    write_tasks(data, random.Random(20261126))
    write_lm(data)
    write_embedding(data)
