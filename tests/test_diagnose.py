"""The map's diagnostics table on curves of each shape, and EarlyStopping."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deepmap.diagnose import EarlyStopping, diagnose, load_curves
from deepmap.errors import DataError, InputError

EPOCHS = np.arange(20)


def test_good_curves():
    d = diagnose(list(1.0 * 0.9**EPOCHS), list(1.05 * 0.9**EPOCHS))
    assert d.verdict == "good"
    assert d.action == "Continue"


def test_overfitting_when_val_turns_up():
    train = list(1.0 * 0.85**EPOCHS)
    val = [0.9 * 0.85**e if e < 8 else 0.9 * 0.85**8 * (1 + 0.05 * (e - 8)) for e in EPOCHS]
    d = diagnose(train, val)
    assert d.verdict == "overfitting"
    assert d.best_epoch == 8
    assert "early stop" in d.action


def test_underfitting_when_both_stay_high():
    d = diagnose([2.30, 2.28, 2.27, 2.26], [2.31, 2.30, 2.29, 2.29])
    assert d.verdict == "underfitting"
    assert d.action == "Increase capacity, train longer"


def test_large_gap():
    d = diagnose(list(1.0 * 0.7**EPOCHS), list(0.5 + 0.5 * 0.7**EPOCHS))
    assert d.verdict == "large-gap"
    assert d.action == "More regularization"


@pytest.mark.parametrize(
    ("train", "val", "match"),
    [
        ([1.0], [1.0], "two epochs"),
        ([1.0, 0.5], [1.0], "length"),
        ([1.0, float("nan")], [1.0, 0.5], "finite"),
        ([], [], "non-empty"),
    ],
)
def test_bad_curves(train, val, match):
    with pytest.raises(InputError, match=match):
        diagnose(train, val)


def test_load_curves_errors_name_the_file(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"c\.json:1"):
        load_curves(bad)
    bad.write_text(json.dumps({"train_loss": [1, 2]}), encoding="utf-8")
    with pytest.raises(DataError, match="missing keys"):
        load_curves(bad)
    with pytest.raises(DataError, match="no such file"):
        load_curves(tmp_path / "absent.json")


def test_early_stopping_patience_and_restore_best():
    es = EarlyStopping(patience=3, min_delta=0.01)
    losses = [1.0, 0.8, 0.7, 0.695, 0.71, 0.72]
    stops = [es.step(v, state={"epoch": i}) for i, v in enumerate(losses)]
    # 0.695 is not better than 0.7 by min_delta: epochs 3, 4, 5 are bad -> stop at 5
    assert stops == [False, False, False, False, False, True]
    assert es.best_epoch == 2
    assert es.best_loss == 0.7
    assert es.best_state == {"epoch": 2}


def test_early_stopping_keeps_a_copy_not_a_reference():
    es = EarlyStopping(patience=1)
    state = {"w": [1.0]}
    es.step(1.0, state)
    state["w"][0] = 99.0
    assert es.best_state == {"w": [1.0]}


@pytest.mark.parametrize("kw", [{"patience": 0}, {"patience": 1.5}, {"min_delta": -1.0}])
def test_early_stopping_validates(kw):
    with pytest.raises(InputError):
        EarlyStopping(**kw)


def test_early_stopping_lives_with_the_loop_and_is_re_exported():
    import deepmap.train
    import deepmap.train.early_stopping

    assert EarlyStopping is deepmap.train.EarlyStopping
    assert EarlyStopping is deepmap.train.early_stopping.EarlyStopping


def test_early_stopping_state_round_trips_and_continues_alike():
    losses = [1.0, 0.8, 0.85, 0.9, 0.7, 0.75, 0.76]
    whole = EarlyStopping(patience=2)
    stops = [whole.step(v) for v in losses]
    first = EarlyStopping(patience=2)
    for v in losses[:3]:
        first.step(v)
    again = EarlyStopping(patience=2)
    again.load_state_dict(json.loads(json.dumps(first.state_dict())))  # through JSON
    assert [again.step(v) for v in losses[3:]] == stops[3:]
    assert again.state_dict() == whole.state_dict()
    assert stops == [False, False, False, True, False, False, True]


def test_early_stopping_without_patience_only_tracks_the_best():
    es = EarlyStopping(patience=None)
    assert not any(es.step(v, state=v) for v in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
    assert es.best_epoch == 0 and es.best_state == 1.0 and es.bad_epochs == 5
