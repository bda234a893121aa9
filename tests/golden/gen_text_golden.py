#!/usr/bin/python3
"""Generates tests/golden/text.json for tests/text/tokenizer_test.cpp and vocab_test.cpp: what torchtext's
tokenizers and build_vocab_from_iterator give on tricky inputs. torchtext is not packaged by Debian, so its
rules are transcribed here from its source (torchtext/data/utils.py, torchtext/vocab/vocab_factory.py and
vocab.py, 0.6 .. 0.18) and run by Python, whose str.lower(), str.split() and re module are what torchtext
runs on. Run with Debian's python3:

    /usr/bin/python3 tests/golden/gen_text_golden.py

Cases whose answer needs Unicode case mappings nabla does not carry (Greek, final sigma, U+0130) are not
here; tokenizer_test.cpp checks nabla's documented behaviour for them.
"""
import json
import os
import re
from collections import Counter, OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "text.json")

# torchtext/data/utils.py
_patterns = [r"\'", r"\"", r"\.", r"<br \/>", r",", r"\(", r"\)", r"\!", r"\?", r"\;", r"\:", r"\s+"]
_replacements = [" '  ", "", " . ", " ", " , ", " ( ", " ) ", " ! ", " ? ", " ", " ", " "]
_patterns_dict = list((re.compile(p), r) for p, r in zip(_patterns, _replacements))


def _basic_english_normalize(line):
    line = line.lower()
    for pattern_re, replaced_str in _patterns_dict:
        line = pattern_re.sub(replaced_str, line)
    return line.split()


# torchtext/vocab/vocab_factory.py (build_vocab_from_iterator, then vocab())
def build_vocab_from_iterator(iterator, min_freq=1, specials=None, special_first=True, max_tokens=None):
    counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = specials or []
    sorted_by_freq_tuples = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is None:
        ordered_dict = OrderedDict(sorted_by_freq_tuples)
    else:
        assert len(specials) < max_tokens
        ordered_dict = OrderedDict(sorted_by_freq_tuples[: max_tokens - len(specials)])
    for token in specials:
        ordered_dict.pop(token, None)
    tokens = [token for token, freq in ordered_dict.items() if freq >= min_freq]
    if special_first:
        tokens[0:0] = specials
    else:
        tokens.extend(specials)
    return tokens


def block(lo, hi, skip=()):
    return " ".join(chr(c) for c in range(lo, hi + 1) if c not in skip)


SENTENCES = [
    "You can now install TorchText using pip!",
    "Don't stop... \"Really\"?! (yes); no: maybe,ok",
    "First line.<br />Second<BR />third<br/>fourth<br \"/>fifth<br  />sixth",
    "tabs\tand\nnewlines\r\n  and\x0b\x0c form feeds\x1c\x1d\x1e\x1fseparators\x85next",
    "non-breaking\u00a0space and\u2003em\u3000ideographic\u2028line\u202fnarrow\u205fmath\u1680ogham",
    "Émile Zola's café: ÀÉÎÕÜ straße ŁÓDŹ Ÿ",
    "ПРИВЕТ мир Ёжик ЎЇЄ",
    "",
    "   \t ",
    "a.b.c...d",
    "it's 5 o'clock, isn't it?",
    "Mixed UPPER and lower; CASE:test",
    "emoji \U0001F600 stays\U0001F600!",
    "quotes \"inside\"words and 'single'",
    "brackets(a)(b)) and !?!?",
    block(0x41, 0x5A),
    block(0xC0, 0xDE),
    block(0x100, 0x17F, skip=(0x130,)),
    block(0x400, 0x42F),
]


def tokenizer_cases():
    return [{"text": s, "basic_english": _basic_english_normalize(s), "whitespace": s.split(),
             "character": list(s)} for s in SENTENCES]


def vocab_cases():
    corpus = [_basic_english_normalize(s) for s in [
        "the cat sat on the mat.", "The dog sat on the log!", "a cat and a dog", "<unk> is a token too",
        "zebra zebra apple apple banana"]]
    specials = ["<unk>", "<pad>", "<sos>", "<eos>"]
    variants = [
        ("default", {}),
        ("min_freq_2", {"min_freq": 2}),
        ("specials", {"specials": specials}),
        ("specials_last", {"specials": specials, "special_first": False}),
        ("max_tokens", {"specials": specials, "max_tokens": 9}),
        ("max_tokens_min_freq", {"specials": ["<pad>"], "max_tokens": 7, "min_freq": 2}),
    ]
    cases = [{"name": n, "corpus": corpus, "options": o, "itos": build_vocab_from_iterator(corpus, **o)}
             for n, o in variants]
    # A special frequent in the text takes one of the max_tokens slots before specials are taken out
    # (torchtext's order of steps): the vocab ends up smaller than max_tokens.
    quirk = corpus + [["<pad>"] * 4]
    o = {"specials": specials, "max_tokens": 8}
    cases.append({"name": "special_in_text_max_tokens", "corpus": quirk, "options": o,
                  "itos": build_vocab_from_iterator(quirk, **o)})
    return cases


def main():
    out = {"generator": "tests/golden/gen_text_golden.py", "tokenizers": tokenizer_cases(), "vocabs": vocab_cases()}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")
    print(f"wrote {OUT}: {len(out['tokenizers'])} tokenizer cases, {len(out['vocabs'])} vocab cases, "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
