"""Resumable training: a training process is KILLED mid-run, started again, and must catch up exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from utils.training import checkpoint_dir, discard_backup, has_backup, read_history

ROOT = Path(__file__).resolve().parent.parent
EPOCHS, KILL_AFTER = 6, 2  # the process dies right after epoch index 2 (its third) was backed up

TRAINER = textwrap.dedent(f'''
    """Train a tiny deterministic model with fit_resumable; mode "kill" SIGKILLs itself after epoch {KILL_AFTER}."""
    import json, os, signal, sys
    sys.path.insert(0, {str(ROOT)!r})
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    mode, root, log, out = sys.argv[1:5]
    from utils.reproducibility import set_op_determinism, set_seeds
    set_seeds(7)
    set_op_determinism(True)  # the two runs must agree to 1e-5
    import keras
    import numpy as np
    from utils.training import fit_resumable

    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = np.tanh(x @ rng.normal(size=(6, 1))).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(12, activation="tanh"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse")  # Adam: its moments must be restored too

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            with open(log, "a") as f:
                f.write(f"begin {{epoch}}\\n")

        def on_epoch_end(self, epoch, logs=None):
            with open(log, "a") as f:
                f.write(f"end {{epoch}}\\n")
            if mode == "kill" and epoch == {KILL_AFTER}:
                os.kill(os.getpid(), signal.SIGKILL)  # like a Colab disconnect: no clean-up runs

    history = fit_resumable(model, x, y=y, run_name="tiny", epochs={EPOCHS}, checkpoint_root=root,
                            validation_data=(x[:16], y[:16]), batch_size=16, shuffle=False, verbose=0,
                            callbacks=[EpochLog()])
    np.savez(out, *model.get_weights())
    again = fit_resumable(model, x, y=y, run_name="tiny-again", epochs=2, checkpoint_root=root, batch_size=16,
                          shuffle=False, verbose=0)
    with open(out + ".json", "w") as f:
        json.dump({{"loss": history.history["loss"], "val_loss": history.history["val_loss"],
                   "epochs_in_history": history.epoch, "fresh_epochs": len(again.history["loss"])}}, f)
''')


def _train(tmp_path: Path, mode: str, root: Path, tag: str) -> tuple[int, list[str], Path]:
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    log, out = tmp_path / f"{tag}.log", tmp_path / f"{tag}.npz"
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, str(script), mode, str(root), str(log), str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"trainer failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = log.read_text().split() if log.exists() else []
    return done.returncode, [" ".join(pair) for pair in zip(lines[::2], lines[1::2], strict=True)], out


@pytest.mark.slow
def test_killed_training_resumes_without_repeating_epochs_and_matches(tmp_path: Path) -> None:
    resumable, reference = tmp_path / "resumable", tmp_path / "reference"

    code, first, _ = _train(tmp_path, "kill", resumable, "run1")
    assert code == -signal.SIGKILL, "the trainer should have been killed"
    assert first == [f"{kind} {e}" for e in range(KILL_AFTER + 1) for kind in ("begin", "end")]
    assert has_backup("tiny", resumable)
    assert len(read_history(checkpoint_dir("tiny", resumable) / "history.csv")["loss"]) == KILL_AFTER + 1
    assert (checkpoint_dir("tiny", resumable) / "latest.keras").is_file()

    code, second, resumed_out = _train(tmp_path, "resume", resumable, "run2")
    assert code == 0
    # completed epochs are not repeated: the second process starts with the epoch after the kill
    assert second == [f"{kind} {e}" for e in range(KILL_AFTER + 1, EPOCHS) for kind in ("begin", "end")]
    assert not has_backup("tiny", resumable), "a completed run must leave no backup"

    code, whole, reference_out = _train(tmp_path, "plain", reference, "ref")
    assert code == 0 and whole == [f"{kind} {e}" for e in range(EPOCHS) for kind in ("begin", "end")]

    resumed, straight = np.load(resumed_out), np.load(reference_out)
    assert len(resumed.files) == len(straight.files) == 4
    for key in straight.files:
        np.testing.assert_allclose(resumed[key], straight[key], rtol=1e-5, atol=1e-6)

    resumed_log = json.loads(Path(str(resumed_out) + ".json").read_text())
    straight_log = json.loads(Path(str(reference_out) + ".json").read_text())
    assert resumed_log["epochs_in_history"] == list(range(EPOCHS))  # the History spans the interruption
    np.testing.assert_allclose(resumed_log["loss"], straight_log["loss"], rtol=1e-4)
    np.testing.assert_allclose(resumed_log["val_loss"], straight_log["val_loss"], rtol=1e-4)
    assert straight_log["loss"][-1] < straight_log["loss"][0]  # it did learn something
    assert resumed_log["fresh_epochs"] == 2  # a run after a completed one trains fresh
    best = checkpoint_dir("tiny", resumable) / "best.keras"
    assert best.is_file() and (checkpoint_dir("tiny", resumable) / "latest.keras").is_file()


def test_discard_backup_and_checkpoint_dir(tmp_path: Path) -> None:
    folder = checkpoint_dir("run-1", tmp_path)
    assert folder == tmp_path / "run-1"
    (folder / "backup").mkdir(parents=True)
    (folder / "backup" / "training_metadata.json").write_text('{"epoch": 3}')
    (folder / "history.csv").write_text("epoch,loss\n0,1.0\n1,0.5\n1,0.4\n")
    assert has_backup("run-1", tmp_path)
    assert read_history(folder / "history.csv") == {"loss": [1.0, 0.4]}  # last row per epoch wins
    discard_backup("run-1", tmp_path)
    assert not has_backup("run-1", tmp_path) and not (folder / "history.csv").exists()
    assert checkpoint_dir("x").parent.name == "checkpoints"


def test_backup_of_a_different_model_is_discarded_with_a_warning(tmp_path: Path) -> None:
    import keras

    from utils.training import SIGNATURE_FILE, fit_resumable

    folder = checkpoint_dir("changed", tmp_path)
    (folder / "backup").mkdir(parents=True)
    (folder / "backup" / "training_metadata.json").write_text('{"epoch": 2, "batch": 0}')
    (folder / SIGNATURE_FILE).write_text('{"weights": [[[5, 1], "float32"]], "optimizer": "SGD"}')
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    with pytest.warns(UserWarning, match="holds an interrupted run of a different model"):
        history = fit_resumable(model, x, y=y, run_name="changed", epochs=3, checkpoint_root=tmp_path, verbose=0)
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3  # trained from epoch 0
    assert not has_backup("changed", tmp_path)
    assert (folder / "best.keras").is_file() and (folder / "latest.keras").is_file()
