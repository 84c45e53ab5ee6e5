"""Text corpora: user CSV/JSONL/folders, the bundled IMDb split, IMDb's tarball, bad input."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from deepmap.data.text import (
    IMDB_FILE,
    _read_imdb_tar,
    load_bundled_imdb,
    load_imdb,
    load_text_path,
    positive_label,
    resolve_text_data,
)
from deepmap.errors import DataError, DataUnavailableError

ROWS = [
    (f"review number {i} was {'great' if i % 2 else 'awful'}", "pos" if i % 2 else "neg")
    for i in range(20)
]


def write_csv(path, rows, header="text,label"):
    lines = [header] + [f'"{t}",{lab}' for t, lab in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_is_split_stratified(tmp_path):
    c = load_text_path(write_csv(tmp_path / "d.csv", ROWS), seed=3)
    assert (len(c.train_texts), len(c.test_texts)) == (16, 4)
    assert sorted(c.test_labels) == ["neg", "neg", "pos", "pos"]
    assert c.labels == ["neg", "pos"]
    again = load_text_path(tmp_path / "d.csv", seed=3)
    assert again.test_texts == c.test_texts  # the seed fixes the split


def test_csv_with_its_own_split(tmp_path):
    rows = [f'"{t}",{lab},{"test" if i < 4 else "train"}' for i, (t, lab) in enumerate(ROWS)]
    p = tmp_path / "d.csv"
    p.write_text("text,label,split\n" + "\n".join(rows) + "\n", encoding="utf-8")
    c = load_text_path(p)
    assert (len(c.train_texts), len(c.test_texts)) == (16, 4)
    assert c.test_texts == [t for t, _ in ROWS[:4]]


def test_jsonl(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(json.dumps({"text": t, "label": lab}) for t, lab in ROWS) + "\n")
    c = load_text_path(p)
    assert len(c.train_texts) + len(c.test_texts) == 20


def test_aclimdb_folder(tmp_path):
    for part in ("train", "test"):
        for lab in ("pos", "neg"):
            d = tmp_path / "acl" / part / lab
            d.mkdir(parents=True)
            for i in range(3):
                (d / f"{i}_7.txt").write_text(f"{part} {lab} {i}", encoding="utf-8")
    c = load_text_path(tmp_path / "acl")
    assert (len(c.train_texts), len(c.test_texts)) == (6, 6)
    assert "test pos 0" in c.test_texts


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", r"d\.csv: the file is empty"),
        (b"text,label\n", r"d\.csv: no documents"),
        (b"body,label\nhello,pos\n", r"d\.csv:1: missing column\(s\) 'text'"),
        (b'text,label\n"good film",pos\n"bad film",pos\n"ok",pos\n', r"only one class \('pos'\)"),
        (b'text,label\n"good film",pos\n"caf\xe9 bad",neg\n', r"d\.csv:3: not UTF-8 \(byte 0xe9"),
        (b'text,label\n"good film",pos\n"",neg\n', r"d\.csv:3: empty text"),
        (b'text,label\n"good film",pos,extra\n', r"d\.csv:2: 3 fields"),
    ],
)
def test_bad_csv_names_file_and_line(tmp_path, content, match):
    p = tmp_path / "d.csv"
    p.write_bytes(content)
    with pytest.raises(DataError, match=match):
        load_text_path(p)


def test_bad_jsonl_names_line(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "a", "label": "pos"}\n{not json}\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: not valid JSON"):
        load_text_path(p)


@pytest.mark.parametrize(
    "lines, match",
    [
        (['{"text": "a", "label": NaN}'], r"d\.jsonl:2: the label is nan, a missing value"),
        (['{"text": "a", "label": "NaN"}'], r"d\.jsonl:2: the label is NaN"),
        (['{"text": "a", "label": Infinity}'], r"d\.jsonl:2: the label is inf"),
        (['{"text": "a", "label": null}'], r"d\.jsonl:2: empty label"),
        (['{"text": "a", "label": ["pos"]}'], r"d\.jsonl:2: the label must be a string"),
        (['{"text": "a", "label": true}'], r"d\.jsonl:2: the label must be a string"),
        (['{"text": ' + "[" * 100_000 + "]"], r"d\.jsonl:2: JSON nested too deeply"),
        (['{"text": "a", "label": ' + "9" * 5000 + "}"], r"d\.jsonl:2: .* more than 4,300 digits"),
    ],
)
def test_jsonl_missing_labels_deep_nesting_and_huge_numbers(tmp_path, lines, match):
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(['{"text": "b", "label": "pos"}', *lines]) + "\n")
    with pytest.raises(DataError, match=match):
        load_text_path(p)


def test_csv_nan_label_refused_with_row(tmp_path):
    p = write_csv(tmp_path / "d.csv", [*ROWS[:5], ("a review", "nan"), *ROWS[5:]])
    with pytest.raises(DataError, match=r"d\.csv:7: the label is nan, a missing value"):
        load_text_path(p)


def test_jsonl_float_and_int_labels_are_one_class(tmp_path):
    p = tmp_path / "d.jsonl"
    rows = [{"text": f"doc {i}", "label": [1, 1.0, 0, 0.0][i % 4]} for i in range(20)]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert load_text_path(p).labels == ["0", "1"]


def test_huge_header_is_cut_in_the_error(tmp_path):
    p = tmp_path / "d.csv"
    header = ",".join(f"column{i}" for i in range(300_000))  # ~3 MB on one line
    p.write_text(header + "\nx\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_text_path(p)
    assert "missing column" in str(e.value) and len(str(e.value)) < 300
    p.write_text("text,label\n" + "x" * 300_000 + ",pos\n", encoding="utf-8")  # one huge field
    with pytest.raises(DataError) as e:
        load_text_path(p)
    assert len(str(e.value)) < 300


def test_one_class_error_cuts_a_long_label(tmp_path):
    p = write_csv(tmp_path / "d.csv", [(f"doc {i}", "L" * 10_000) for i in range(4)])
    with pytest.raises(DataError, match="only one class") as e:
        load_text_path(p)
    assert len(str(e.value)) < 300


def test_unreadable_path_is_one_error(tmp_path):
    with pytest.raises(DataError, match=r"cannot read|no such file"):
        load_text_path(tmp_path / ("n" * 5000 + ".csv"))  # a name too long for the OS


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_text_path(tmp_path / "nope.csv")
    (tmp_path / "d.txt").write_text("x")
    with pytest.raises(DataError, match="unknown format"):
        load_text_path(tmp_path / "d.txt")


def test_positive_label():
    assert positive_label(["neg", "pos"]) == "pos"
    assert positive_label(["0", "1"]) == "1"
    assert positive_label(["ham", "spam"]) == "spam"


def test_bundled_corpus_is_real_imdb():
    c = load_bundled_imdb()
    assert (len(c.train_texts), len(c.test_texts)) == (20_000, 5_000)
    assert c.test_labels.count("pos") == 2_500
    # IMDb's train set itself repeats 96 reviews; only those can appear on both sides
    assert len(set(c.train_texts) & set(c.test_texts)) <= 96
    assert "<br />" in "".join(c.train_texts[:200])  # IMDb's raw HTML line breaks


def _fake_imdb_tar(path, n=2):
    with tarfile.open(path, "w:gz") as tar:
        for part in ("train", "test"):
            for lab in ("pos", "neg"):
                for i in range(n):
                    data = f"{part} {lab} review {i}".encode()
                    info = tarfile.TarInfo(f"aclImdb/{part}/{lab}/{i}_8.txt")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                info = tarfile.TarInfo(f"aclImdb/{part}/urls_{lab}.txt")
                info.size = 1
                tar.addfile(info, io.BytesIO(b"x"))
    return path


def test_read_imdb_tar_layout(tmp_path):
    parts = _read_imdb_tar(_fake_imdb_tar(tmp_path / "a.tar.gz"))
    assert parts["train"][1].count("pos") == 2 and len(parts["test"][0]) == 4


def test_imdb_offline_error_names_url_and_cache(tmp_path):
    with pytest.raises(DataUnavailableError) as e:
        load_imdb()
    msg = str(e.value)
    assert IMDB_FILE.url in msg and "imdb" in msg and IMDB_FILE.filename in msg


def test_imdb_not_cached_without_download():
    with pytest.raises(DataUnavailableError, match="not cached"):
        load_imdb(download=False)


def test_auto_falls_back_to_bundled_offline():
    corpus, note = resolve_text_data("auto")
    assert corpus.name == "imdb-train-bundled"
    assert "fell back to the bundled corpus" in note
