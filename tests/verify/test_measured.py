"""Measured claims: read the latest results.json of a run, judge the value against the map's
with stated bands, show provenance, and say "not measured" with the command when there is
no file. Nothing here trains: results files are written by the tests themselves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deepmap.errors import InputError
from deepmap.verify import MeasuredClaim, Ratio, Within, check_claims, results_folder
from deepmap.verify.ladder_claims import CLAIMS as LADDER_CLAIMS
from deepmap.verify.measured import fmt_measure, key_text

PROV = {"git_commit": "abc123def4567", "created": "2026-11-26T14:00:00+00:00", "cpu": "x"}


def claim(**kw) -> MeasuredClaim:
    base = dict(
        id="x.acc",
        section="s",
        words="reaches 90%",
        map_value=90.0,
        source="run",
        key=("rungs", {"rung": "a"}, "accuracy"),
        command="deepmap run --out {out}",
        unit="%",
        scale=100.0,
        agree=Within(0.5),
        plausible=Within(3.0),
        differs="another split",
    )
    return MeasuredClaim(**(base | kw))


def write(folder: Path, accuracy, *, provenance=PROV, mtime=None, **top) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"data": "set-a: 10 docs", **top, "rungs": [{"rung": "a", "accuracy": accuracy}]}
    if provenance is not None:
        data["provenance"] = provenance
    path = folder / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def check(c: MeasuredClaim, results: Path | None):
    return check_claims([c], results=results)[0]


def test_no_results_file_is_not_measured_with_the_command(tmp_path):
    r = check(claim(), tmp_path)
    assert r.status == "not measured"
    assert r.command == f"deepmap run --out {tmp_path / 'run'}"
    assert r.command in r.note and r.ours is None
    assert check(claim(), None).status == "not measured"  # make test: nothing is read


@pytest.mark.parametrize(
    ("accuracy", "status"),
    [(0.90, "agrees"), (0.9049, "agrees"), (0.893, "differs"), (0.92, "differs"), (0.85, "FAILS")],
)
def test_bands_agree_differ_fail(tmp_path, accuracy, status):
    path = write(tmp_path / "run", accuracy)
    r = check(claim(), tmp_path)
    assert (r.status, r.ours, r.source) == (status, round(accuracy * 100, 6), str(path))
    assert r.provenance == PROV
    if status == "differs":
        assert "another split" in r.note and f"{accuracy * 100:.4g}%" in r.note
    if status == "FAILS":
        assert "regression" in r.note


def test_outside_agree_without_reason_fails(tmp_path):
    write(tmp_path / "run", 0.89)
    r = check(claim(differs=""), tmp_path)
    assert r.status == "FAILS" and "within 0.5%" in r.note


def test_ratio_band_for_order_of_magnitude_figures(tmp_path):
    c = claim(map_value=1.0, scale=1.0, unit="ms", agree=Ratio(3.0), plausible=Ratio(10.0))
    for value, status in [(0.4, "agrees"), (2.9, "agrees"), (0.2, "differs"), (20.0, "FAILS")]:
        write(tmp_path / "run", value)
        assert check(c, tmp_path).status == status, value


def test_latest_qualifying_file_wins(tmp_path):
    write(tmp_path / "run", 0.80, mtime=1_000)
    write(tmp_path / "run" / "later", 0.90, mtime=2_000)
    write(tmp_path / "run" / "latest-other-data", 0.10, mtime=3_000, data="set-b: 5 docs")
    r = check(claim(requires={"data": "set-a"}), tmp_path)
    assert r.ours == 90.0 and r.source.endswith("later/results.json")


def test_only_other_data_or_missing_key_is_not_measured(tmp_path):
    write(tmp_path / "run", 0.9, data="my-csv: 10 docs")
    r = check(claim(requires={"data": "set-a"}), tmp_path)
    assert r.status == "not measured" and "my-csv" in r.note and "deepmap run" in r.note
    r = check(claim(key=("rungs", {"rung": "b"}, "accuracy")), tmp_path)
    assert r.status == "not measured" and "rungs[rung=b].accuracy" in r.note


def test_missing_provenance_is_tolerated(tmp_path):
    write(tmp_path / "run", 0.9, provenance=None)
    r = check(claim(), tmp_path)
    assert (r.status, r.provenance) == ("agrees", None)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"rungs": [{"rung": "a", "accuracy": ' + b"9" * 5000 + b"}]}", "digits"),
        (b"[1, 2]", "not an object"),
        (b'{"rungs": [{"rung": "a", "accuracy": NaN}]}', "not a number"),
        (b'{"rungs": [{"rung": "a", "accuracy": "high"}]}', "not a number"),
        (b"", "not valid JSON"),
    ],
    ids=["corrupt", "non-utf8", "nested", "digits", "list", "nan", "string", "empty"],
)
def test_unreadable_results_fail_naming_the_path(tmp_path, content, why):
    path = tmp_path / "run" / "results.json"
    path.parent.mkdir()
    path.write_bytes(content)
    r = check(claim(), tmp_path)
    assert r.status == "FAILS"
    assert r.note.startswith("unreadable: ") and str(path) in r.note and why in r.note
    assert len(r.note) < 400


def test_oversized_results_file_is_not_read(tmp_path, monkeypatch):
    import deepmap.verify.measured as measured

    path = write(tmp_path / "run", 0.9)
    monkeypatch.setattr(measured, "MAX_RESULTS_BYTES", 10)
    r = check(claim(), tmp_path)
    assert r.status == "FAILS" and str(path) in r.note and "larger than" in r.note


def test_one_unreadable_file_fails_only_its_claims(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "results.json").write_text("{oops")
    write(tmp_path / "other", 0.9)
    results = check_claims([claim(), claim(id="x.other", source="other")], results=tmp_path)
    assert [r.status for r in results] == ["FAILS", "agrees"]


def test_results_folder_resolution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert results_folder(None, env={}) == Path("results")  # default, absent: fine
    assert results_folder(None, env={"DEEPMAP_RESULTS": str(tmp_path)}) == tmp_path
    assert results_folder(str(tmp_path), env={"DEEPMAP_RESULTS": "/nope"}) == tmp_path
    (tmp_path / "f").write_text("x")
    for bad, env, msg in [
        (tmp_path / "missing", {}, "--results .*: no such folder"),
        (tmp_path / "f", {}, "--results .*: is a file"),
        (None, {"DEEPMAP_RESULTS": str(tmp_path / "gone")}, "DEEPMAP_RESULTS .*no such"),
    ]:
        with pytest.raises(InputError, match=msg):
            results_folder(bad, env=env)
    (tmp_path / "results").write_text("a file")
    with pytest.raises(InputError, match="is a file"):
        results_folder(None, env={})


def test_formatting_helpers():
    assert key_text(("rungs", {"rung": "tfidf"}, "accuracy")) == "rungs[rung=tfidf].accuracy"
    assert key_text(("runs", -1, "ppl")) == "runs[-1].ppl"
    assert fmt_measure(89.34, "%") == "89.34%" and fmt_measure(0.52, "ms") == "0.52 ms"


def test_ladder_claims_read_what_the_ladder_writes(tmp_path):
    """The real writer (deepmap.ladder.report) and corpus description, with made-up
    figures: the claims find the TF-IDF rung's accuracy and latency in its results.json."""
    from deepmap.data.text import TextCorpus
    from deepmap.ladder.report import write_ladder_outputs
    from deepmap.ladder.runner import LadderResult, RungResult

    corpus = TextCorpus("imdb-train-bundled", ["a", "b"], ["neg", "pos"], ["c"], ["pos"], "s", "x")
    rung = RungResult(
        "tfidf", "TF-IDF", "weights", 0.8934, 0.88, 0.90, 0.89, 3.5, 0.52, 0.9, 6893.0,
        1.1, 338.0, 40722,
    )  # fmt: skip
    result = LadderResult(corpus.describe(), "", 2, 1, ["neg", "pos"], "pos", "binary", 0, [rung])
    write_ladder_outputs(result, tmp_path / "ladder")
    by_id = {r.id: r for r in check_claims(LADDER_CLAIMS, results=tmp_path)}
    acc, lat = by_id["text.ladder.tfidf.accuracy"], by_id["text.ladder.tfidf.latency"]
    assert (acc.status, acc.ours) == ("differs", 89.34)
    assert "20k/5k hold-out" in acc.note and "90.13%" in acc.note
    assert (lat.status, lat.ours) == ("agrees", 0.52)
    assert acc.source == str(tmp_path / "ladder" / "results.json")
    written = json.loads((tmp_path / "ladder" / "results.json").read_text())
    assert acc.provenance == written.get("provenance")  # None until the writer records it
    assert acc.command == f"deepmap ladder text --data bundled --out {tmp_path / 'ladder'}"


def test_compute_derives_a_figure_from_several_fields(tmp_path):
    (tmp_path / "run").mkdir()
    rungs = [{"rung": "tfidf", "accuracy": 0.90}, {"rung": "bert", "accuracy": 0.93}]
    (tmp_path / "run" / "results.json").write_text(json.dumps({"rungs": rungs}))

    def acc(rs, name):
        return next(r["accuracy"] for r in rs if r["rung"] == name)

    gain = lambda rs: acc(rs, "bert") - acc(rs, "tfidf")  # noqa: E731
    r = check(claim(map_value=3.0, key=("rungs",), compute=gain), tmp_path)
    assert (r.status, r.ours) == ("agrees", 3.0)  # points: scale 100 applies to compute
    missing = claim(key=("rungs",), compute=lambda rs: acc(rs, "lstm"))  # StopIteration
    r = check(missing, tmp_path)
    assert r.status == "not measured" and "has no rungs" in r.note


@pytest.mark.parametrize(
    ("spacy", "differs", "status"),
    [(900, "", "agrees"), (100, "", "FAILS"), (100, "short texts", "differs")],
)
def test_a_verdict_is_a_bool_claim(tmp_path, spacy, differs, status):
    (tmp_path / "run").mkdir()
    data = {"tokens_per_s": {"spacy": spacy, "nltk": 500}}
    (tmp_path / "run" / "results.json").write_text(json.dumps(data))
    c = claim(
        map_value=True,
        key=("tokens_per_s",),
        compute=lambda t: t["spacy"] > t["nltk"],
        unit="",
        scale=1.0,
        differs=differs,
    )
    r = check(c, tmp_path)
    assert (r.status, r.ours) == (status, spacy > 500)
    if status != "agrees":
        assert "ours no, the map's yes" in r.note


def test_a_verdict_claim_refuses_a_number(tmp_path):
    write(tmp_path / "run", 0.9)
    r = check(claim(map_value=True), tmp_path)
    assert r.status == "FAILS" and "not yes or no" in r.note
