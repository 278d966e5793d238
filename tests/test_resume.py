"""Resumable training: a training process is KILLED mid-run, started again, and must catch up exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EPOCHS, KILL_AFTER = 6, 2  # the process dies right after epoch index 2 (its third) was backed up

TRAINER = textwrap.dedent(f'''
    """Train a tiny deterministic model with fit_resumable; mode "kill" SIGKILLs itself after epoch {KILL_AFTER}."""
    import os, signal, sys
    sys.path.insert(0, {str(ROOT)!r})
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    mode, log, out = sys.argv[1:4]
    from utils.hardware import set_op_determinism
    from utils.setup import set_seeds
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

    history = fit_resumable(model, x, y=y, run_name="tiny", epochs={EPOCHS}, validation_data=(x[:16], y[:16]),
                            batch_size=16, shuffle=False, verbose=0, callbacks=[EpochLog()])
    np.savez(out, *model.get_weights())
    # A later fit of the same model (say, fine-tuning) must run all its epochs, not start at the restored one.
    again = fit_resumable(model, x, y=y, run_name="tiny-again", epochs=2, batch_size=16, shuffle=False, verbose=0)
    print("EPOCHS", history.epoch, len(again.history["loss"]))
''')


def _train(tmp_path: Path, mode: str, checkpoints: Path, tag: str) -> tuple[int, list[str], Path, str]:
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    log, out = tmp_path / f"{tag}.log", tmp_path / f"{tag}.npz"
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONHASHSEED": "0", "COURSE_CHECKPOINT_DIR": str(checkpoints)}
    done = subprocess.run([sys.executable, str(script), mode, str(log), str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"trainer failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = log.read_text().split() if log.exists() else []
    return done.returncode, [" ".join(pair) for pair in zip(lines[::2], lines[1::2], strict=True)], out, done.stdout


def _epochs(first: int, last: int) -> list[str]:
    return [f"{kind} {epoch}" for epoch in range(first, last) for kind in ("begin", "end")]


@pytest.mark.slow
def test_killed_training_resumes_without_repeating_epochs_and_matches(tmp_path: Path) -> None:
    resumable, reference = tmp_path / "resumable", tmp_path / "reference"

    code, first, _, _ = _train(tmp_path, "kill", resumable, "run1")
    assert code == -signal.SIGKILL, "the trainer should have been killed"
    assert first == _epochs(0, KILL_AFTER + 1)
    backups = [path.parent.name for path in (resumable / "tiny").glob("*/training_metadata.json")]
    assert backups == ["float32-97"], "the backup of the killed run is missing (or not named policy-parameters)"

    code, second, resumed_out, report = _train(tmp_path, "resume", resumable, "run2")
    assert code == 0
    assert second == _epochs(KILL_AFTER + 1, EPOCHS), "completed epochs must not be repeated"
    assert f"EPOCHS {list(range(KILL_AFTER + 1, EPOCHS))} 2" in report, "a later fit must run all its epochs"
    assert not (resumable / "tiny").exists(), "a completed run must leave no backup"

    code, whole, reference_out, _ = _train(tmp_path, "plain", reference, "ref")
    assert code == 0 and whole == _epochs(0, EPOCHS)
    resumed, straight = np.load(resumed_out), np.load(reference_out)
    assert len(resumed.files) == len(straight.files) == 4
    for key in straight.files:
        np.testing.assert_allclose(resumed[key], straight[key], rtol=1e-5, atol=1e-6)


def test_keras_still_keeps_the_restored_epoch_after_fit(tmp_path: Path) -> None:
    """Why ``fit_resumable`` clears ``model._initial_epoch``.

    When this fails, Keras resets it itself: delete that line from ``fit_resumable``.
    """
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    # The state an interrupted run leaves: weights and the number of completed epochs.
    (tmp_path / "backup").mkdir()
    model.save_weights(tmp_path / "backup" / "latest.weights.h5")
    (tmp_path / "backup" / "training_metadata.json").write_text('{"epoch": 2, "batch": 0}')
    restore = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[restore])
    assert history.epoch == [2]
    assert model._initial_epoch == 2, "Keras now resets _initial_epoch: remove the workaround line in fit_resumable"


class _Interrupt(Exception):
    pass


def test_a_backup_is_resumed_only_under_the_same_policy_by_the_same_model(tmp_path: Path, monkeypatch) -> None:
    """An interrupted run under mixed precision must not be resumed by a float32 run, nor by another model."""
    import keras

    from utils.training import fit_resumable

    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path))
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    previous = keras.config.dtype_policy()

    class InterruptAfterSecondEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise _Interrupt  # like a kernel interrupt: the backup stays, no clean-up runs

    def epochs_run(policy: str, units: int = 4, interrupt: bool = False) -> list[int]:
        keras.config.set_dtype_policy(policy)
        try:
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dense(1)])
            model.compile("sgd", "mse")
            callbacks = [InterruptAfterSecondEpoch()] if interrupt else []
            return fit_resumable(model, x, y=y, run_name="run", epochs=4, verbose=0, callbacks=callbacks).epoch
        finally:
            keras.config.set_dtype_policy(previous)

    with pytest.raises(_Interrupt):
        epochs_run("mixed_float16", interrupt=True)
    assert epochs_run("float32") == [0, 1, 2, 3], "a float32 run resumed a mixed_float16 backup"
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["mixed_float16-21"], "backups: <policy>-<parameters>"
    assert epochs_run("mixed_float16", units=5) == [0, 1, 2, 3], "a model of another size resumed the backup"
    assert epochs_run("mixed_float16") == [2, 3], "the same model under the same policy must resume"
    assert not (tmp_path / "run").exists(), "completed runs leave no backup"


def test_an_unbuilt_model_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import keras

    from utils.training import fit_resumable

    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="needs a built model"):
        fit_resumable(keras.Sequential([keras.layers.Dense(1)]), np.zeros((2, 3)), run_name="x", epochs=1)
