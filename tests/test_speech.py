"""The speech data of notebook 09: synthesiser, generator, voice splits, CTC labels, loaders and shortcuts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from utils import speech
from utils.speech import (
    BLANK,
    SAMPLE_RATE,
    Espeak,
    SynthesiserUnavailableError,
    concatenate_digits,
    load_fsdd,
    load_speech_commands,
    make_digit_string_set,
    make_keyword_set,
    make_voices,
    read_wav,
    resample,
    speak_digit_strings,
    speech_commands_split,
    split_voices,
)

VOICES = make_voices(0, per_variant=2)
SPLITS = split_voices(VOICES, seed=0)


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Mono audio in [-1, 1] as a 16-bit PCM ``.wav``, as Speech Commands and FSDD store their clips."""
    wavfile.write(path, int(sample_rate), (np.clip(np.asarray(audio, "float64"), -1, 1) * 32767).round().astype("<i2"))
    return path


def decode_digits(labels) -> str:
    """Classes -> digit string, the inverse of notebook 09's ``encode_digits`` (blanks removed first)."""
    return "".join(str(int(v) - 1) for v in labels)


# ----------------------------------------------------------------------------------------------
# The synthesiser
# ----------------------------------------------------------------------------------------------


def test_espeak_speaks_int16_at_its_native_rate():
    engine = Espeak()
    samples = engine.speak("seven", "en-us+f2", rate=170, pitch=40)
    assert engine.native_rate == 22_050
    assert samples.dtype == np.int16 and 0.2 * 22_050 < len(samples) < 1.5 * 22_050
    assert np.abs(samples.astype(float)).max() > 1000  # speech, not silence


@pytest.mark.parametrize("voice", ["en+no-such-variant", "xx-nowhere+m1"])
def test_unknown_voice_is_an_error(voice):
    with pytest.raises(ValueError, match="no voice"):
        Espeak().speak("yes", voice)


def test_empty_text_is_an_error():
    with pytest.raises(ValueError, match="non-empty"):
        Espeak().speak("  ", "en-us+m1")


def test_missing_library_says_how_to_install(tmp_path, monkeypatch):
    import espeakng_loader

    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(tmp_path / "libespeak-ng.so"))
    with pytest.raises(SynthesiserUnavailableError, match="pip install espeakng-loader"):
        Espeak()


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # import fails as if not installed
    with pytest.raises(SynthesiserUnavailableError, match="pip install espeakng-loader"):
        make_keyword_set(SPLITS["train"][:2], 1, seed=0, words=("yes",))


# ----------------------------------------------------------------------------------------------
# Voices and the generated data sets
# ----------------------------------------------------------------------------------------------


def test_voice_splits_never_share_a_variant_and_cover_every_kind():
    variants = {split: {voice.variant for voice in voices} for split, voices in SPLITS.items()}
    assert not (variants["train"] & variants["test"] or variants["train"] & variants["validation"]
                or variants["validation"] & variants["test"])
    assert sum(len(voices) for voices in SPLITS.values()) == len(VOICES)
    for kind, group in speech.VARIANTS.items():
        for split in SPLITS:
            assert variants[split] & set(group), f"no {kind} voice in {split}"
    assert len({voice.name for voice in VOICES}) == len(VOICES)  # two accents per variant, never the same twice


def test_voices_and_splits_are_deterministic():
    assert make_voices(3, 2) == make_voices(3, 2) and make_voices(3, 2) != make_voices(4, 2)
    assert split_voices(VOICES, seed=5) == split_voices(VOICES, seed=5)


def test_unknown_variant_cannot_be_split():
    with pytest.raises(ValueError, match="unknown voice variants"):
        split_voices([speech.Voice("robosoft")])


@pytest.fixture(scope="module")
def keywords():
    return make_keyword_set(SPLITS["train"][:6], 2, seed=11, words=("yes", "no", "stop"))


def test_keyword_set_shapes_rate_and_balance(keywords):
    assert keywords.audio.shape == (6, SAMPLE_RATE) and keywords.audio.dtype == np.float32
    assert np.all(keywords.lengths == SAMPLE_RATE)
    assert sorted(keywords.texts) == ["no", "no", "stop", "stop", "yes", "yes"]
    assert np.abs(keywords.audio).max() <= 1.0 and np.all(keywords.audio.std(axis=1) > 1e-3)
    assert set(keywords.speakers) <= {voice.name for voice in SPLITS["train"][:6]}
    assert keywords.labels(("yes", "no", "stop")).tolist() == [("yes", "no", "stop").index(t) for t in keywords.texts]


def test_generator_is_deterministic_for_a_seed(keywords):
    again = make_keyword_set(SPLITS["train"][:6], 2, seed=11, words=("yes", "no", "stop"))
    other = make_keyword_set(SPLITS["train"][:6], 2, seed=12, words=("yes", "no", "stop"))
    assert np.array_equal(keywords.audio, again.audio) and keywords.texts == again.texts
    assert not np.array_equal(keywords.audio, other.audio)


def test_synthesis_does_not_depend_on_what_was_said_before():
    """eSpeak keeps state between utterances; each chunk runs in a fresh process, so history cannot leak in."""
    Espeak().speak("something else entirely", "en+f3")  # disturb this process's copy of the library
    first = speech.synthesise([("four", "en-us+m3", 170, 50, 50)])[1][0]
    second = speech.synthesise([("four", "en-us+m3", 170, 50, 50)])[1][0]
    assert np.array_equal(first, second)


def test_digit_strings_lengths_texts_and_padding():
    data = make_digit_string_set(SPLITS["test"], 8, seed=3, digits=(3, 6))
    assert len(data) == 8 and data.audio.shape == (8, data.lengths.max())
    assert all(3 <= len(text) <= 6 and text.isdigit() for text in data.texts)
    for row, length in enumerate(data.lengths):
        assert 0.5 * SAMPLE_RATE < length < 6 * SAMPLE_RATE
        assert not data.audio[row, length:].any()  # zero padding after the real audio
    # more digits take longer to say
    assert np.corrcoef([len(t) for t in data.texts], data.lengths)[0, 1] > 0.5


def test_unknown_word_and_bad_arguments_are_errors(keywords):
    with pytest.raises(ValueError, match="unknown words"):
        keywords.labels(("yes", "no"))
    with pytest.raises(ValueError, match="single lower-case"):
        make_keyword_set(SPLITS["train"][:1], 1, seed=0, words=("Yes please",))
    with pytest.raises(ValueError, match="per_word"):
        make_keyword_set(SPLITS["train"][:1], 0, seed=0)
    with pytest.raises(ValueError, match="digits"):
        make_digit_string_set(SPLITS["train"][:1], 1, seed=0, digits=(4, 3))


# ----------------------------------------------------------------------------------------------
# Audio checks and resampling
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("audio", "message"), [
    (np.zeros(0), "non-empty"),
    (np.zeros((2, 100)), "one non-empty channel"),
    (np.array([0.0, np.nan]), "NaN"),
])
def test_bad_audio_is_refused(audio, message):
    with pytest.raises(ValueError, match=message):
        resample(audio, 8_000, SAMPLE_RATE)


def test_resample_keeps_a_tone_and_removes_what_the_new_rate_cannot_hold():
    t = np.arange(8_000) / 8_000
    up = resample(np.sin(2 * np.pi * 440 * t), 8_000, SAMPLE_RATE)
    assert len(up) == 16_000
    expected = np.sin(2 * np.pi * 440 * np.arange(16_000) / SAMPLE_RATE)
    assert np.abs(up[200:-200] - expected[200:-200]).max() < 0.01
    t = np.arange(22_050) / 22_050
    down = resample(np.sin(2 * np.pi * 10_000 * t), 22_050, SAMPLE_RATE)  # 10 kHz is above 16 kHz's Nyquist
    assert len(down) == 16_000 and np.abs(down[500:-500]).max() < 0.01 and down.std() < 0.01  # edges: padding


# ----------------------------------------------------------------------------------------------
# CTC labels, and the notebook's greedy decoder and digit error rate
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook():
    """The CTC labels, greedy decoder, edit distance and digit error rate as notebook 09 writes them (cells tagged
    from-scratch)."""
    from tests.notebook_cells import notebook_namespace

    return notebook_namespace("09_speech_recognition")


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=8))
def test_digit_encoding_round_trips_and_never_uses_the_blank(notebook, text):
    labels = notebook["encode_digits"](text)
    assert BLANK not in labels.tolist() and decode_digits(labels) == text


def _path_logits(*paths: Sequence[int]) -> np.ndarray:
    """Confident logits (utterances, steps, 11) that spell out each path of class indices."""
    return np.eye(11, dtype="float32")[np.array(paths)] * 10.0


def test_repeated_digits_need_the_blank(notebook):
    seven, three = int(notebook["encode_digits"]("7")[0]), int(notebook["encode_digits"]("3")[0])
    decode = notebook["greedy_decode"]
    assert decode(_path_logits([seven, seven, BLANK, seven])) == ["77"]  # "7 7": the blank keeps both sevens
    assert decode(_path_logits([seven, seven, seven, seven])) == ["7"]  # without it the repeats merge into one
    assert decode(_path_logits([BLANK, 4, 4, BLANK, 8, 8, BLANK, 8, BLANK, 2])) == ["3771"]
    assert decode(_path_logits([BLANK] * 5, [three, BLANK, BLANK, three, three])) == ["", "33"]


def test_notebook_greedy_decoder_agrees_with_keras(notebook):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    paths = rng.integers(0, 11, size=(32, 12))
    paths[:, ::4] = BLANK
    paths[:8, 1:4] = 7  # runs of repeats
    decoded, _ = keras.ops.ctc_decode(_path_logits(*paths), np.full(32, 12), strategy="greedy", mask_index=BLANK)
    expected = [decode_digits([v for v in row if v > 0]) for row in keras.ops.convert_to_numpy(decoded)[0].tolist()]
    assert notebook["greedy_decode"](_path_logits(*paths)) == expected  # Keras pads its output with -1


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("3771", "3771", 0), ("3771", "371", 1), ("3771", "37711", 1), ("3771", "3791", 1), ("", "12", 2),
    ("1234", "4321", 4), ("kitten", "sitting", 3), ("77", "7", 1),
])
def test_notebook_edit_distance(notebook, a, b, distance):
    assert notebook["edit_distance"](a, b) == distance == notebook["edit_distance"](b, a)


def test_notebook_digit_error_rate(notebook):
    assert notebook["digit_error_rate"](["3771", "12"], ["371", "12"]) == pytest.approx(1 / 6)
    assert notebook["digit_error_rate"](["12"], ["3456"]) == 2.0  # insertions can push it above 1


def test_ctc_loss_cannot_fit_77_into_two_frames_but_can_into_three(notebook):
    keras = pytest.importorskip("keras")
    target = np.array([notebook["encode_digits"]("77")])
    def loss(frames):
        logits = np.zeros((1, frames, 11), "float32")
        return float(keras.ops.convert_to_numpy(keras.ops.ctc_loss(target, logits, np.array([2]),
                                                                    np.array([frames]), mask_index=BLANK))[0])
    assert np.isfinite(loss(3)) and loss(3) < 10
    # No alignment exists (7, blank, 7 needs three frames): TensorFlow reports ~700 (log of ~0), others inf.
    assert not np.isfinite(loss(2)) or loss(2) > 100


def test_pad_labels(notebook):
    padded = notebook["pad_labels"](["12", "3771"], 4)
    assert padded.tolist() == [[2, 3, 0, 0], [4, 8, 8, 2]] and padded.dtype == np.int32
    with pytest.raises(ValueError, match="longer than"):
        notebook["pad_labels"](["123"], width=2)


@pytest.mark.parametrize("bad", ["", "12a", "4-2", "٣"])
def test_bad_digit_strings_are_refused(notebook, bad):
    with pytest.raises(ValueError, match="0-9"):
        notebook["encode_digits"](bad)
    with pytest.raises(ValueError, match="0-9"):
        speak_digit_strings([bad or "1x"], VOICES[:1], seed=0)


# ----------------------------------------------------------------------------------------------
# Full profile: loaders on fixtures in the upstream layouts
# ----------------------------------------------------------------------------------------------


def _tone(seconds: float, rate: int, frequency: float = 300.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * frequency * t)


def write_speech_commands_fixture(root: Path, words=("yes", "no", "up"), speakers=8, lists: bool = False) -> Path:
    """Speech Commands' layout: ``<word>/<speaker>_nohash_<n>.wav`` (16 kHz), optionally with v0.02's lists."""
    validation, testing = [], []
    for w, word in enumerate(words):
        (root / word).mkdir(parents=True, exist_ok=True)
        for s in range(speakers):
            for n in range(2):
                name = f"{s:08x}_nohash_{n}.wav"
                write_wav(root / word / name, _tone(0.6 + 0.1 * n, SAMPLE_RATE, 200 + 50 * w), SAMPLE_RATE)
                (validation if s == 0 else testing if s == 1 else []).append(f"{word}/{name}")
    if lists:
        (root / "validation_list.txt").write_text("\n".join(validation) + "\n")
        (root / "testing_list.txt").write_text("\n".join(testing) + "\n")
        (root / "_background_noise_").mkdir()
        write_wav(root / "_background_noise_" / "white_noise.wav", np.zeros(SAMPLE_RATE), SAMPLE_RATE)
    (root / "README.md").write_text("fixture\n")
    return root


def test_speech_commands_mini_layout_split_by_speaker_hash(tmp_path):
    write_speech_commands_fixture(tmp_path / "mini_speech_commands")  # the zip extracts one level down
    junk = tmp_path / "__MACOSX" / "mini_speech_commands" / "yes"  # macOS resource forks, named like the clips
    junk.mkdir(parents=True)
    (junk / "._00000000_nohash_0.wav").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    (tmp_path / "mini_speech_commands" / "yes" / "._00000000_nohash_0.wav").write_bytes(b"\x00\x05\x16\x07")
    sets = load_speech_commands(tmp_path)
    assert sum(len(s) for s in sets.values()) == 3 * 8 * 2
    for data in sets.values():
        assert data.audio.shape == (len(data), SAMPLE_RATE) and set(data.texts) <= {"yes", "no", "up"}
        assert not data.audio[:, int(0.8 * SAMPLE_RATE):].any()  # shorter clips are zero-padded to 1 s
    speakers = {split: set(data.speakers) for split, data in sets.items()}
    assert not (speakers["train"] & speakers["test"] or speakers["train"] & speakers["validation"])
    for split, data in sets.items():
        assert all(speech_commands_split(f"{speaker}_nohash_0.wav") == split for speaker in data.speakers)


def test_speech_commands_v2_lists_give_the_split(tmp_path):
    write_speech_commands_fixture(tmp_path, lists=True)
    sets = load_speech_commands(tmp_path, words=("yes", "up"), max_per_word=3)
    assert set(sets["validation"].speakers) == {"00000000"} and set(sets["test"].speakers) == {"00000001"}
    assert len(sets["train"]) == 2 * 3 and sorted(set(sets["train"].texts)) == ["up", "yes"]


def test_speech_commands_errors(tmp_path):
    write_speech_commands_fixture(tmp_path)
    with pytest.raises(ValueError, match=r"unknown words \['banana'\]"):
        load_speech_commands(tmp_path, words=("yes", "banana"))
    write_wav(tmp_path / "yes" / "bad_nohash_0.wav", _tone(1.0, 8_000), 8_000)
    with pytest.raises(ValueError, match="8000 Hz"):
        load_speech_commands(tmp_path, words=("yes",))
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_speech_commands(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="expected layout"):
        load_speech_commands(tmp_path / "yes")  # a word folder: no word folders below it


def write_fsdd_fixture(root: Path, speakers=("jackson", "theo", "lucas"), per_digit=2) -> Path:
    """FSDD's layout: ``recordings/{digit}_{speaker}_{index}.wav`` at 8 kHz, with some silence around."""
    folder = root / "free-spoken-digit-dataset-1.0.10" / "recordings"
    folder.mkdir(parents=True)
    for s, speaker in enumerate(speakers):
        for digit in range(10):
            for index in range(per_digit):
                clip = np.concatenate([np.zeros(400), _tone(0.3, 8_000, 150 + 40 * digit + 5 * s), np.zeros(400)])
                write_wav(folder / f"{digit}_{speaker}_{index}.wav", clip, 8_000)
    return root


def test_fsdd_loader_and_digit_strings(tmp_path):
    recordings = load_fsdd(write_fsdd_fixture(tmp_path))
    assert len(recordings) == 3 * 10 * 2 and set(recordings.speakers) == {"jackson", "theo", "lucas"}
    assert np.all(recordings.lengths == 2 * (800 + 2_400))  # 8 kHz resampled to 16 kHz
    strings = concatenate_digits(recordings, 20, seed=0, digits=(3, 5), speakers=["theo"])
    assert set(strings.speakers) == {"theo"} and all(3 <= len(t) <= 5 for t in strings.texts)
    for text, length in zip(strings.texts, strings.lengths, strict=True):
        # each digit is 0.3 s once its silence is trimmed, plus 0.1-0.4 s of silence around the string
        assert len(text) * 0.3 * SAMPLE_RATE < length < (len(text) * 0.3 + 0.45) * SAMPLE_RATE
    with pytest.raises(ValueError, match="no recordings of speakers"):
        concatenate_digits(recordings, 1, seed=0, speakers=["nobody"])


def test_wav_errors(tmp_path):
    empty = write_wav(tmp_path / "empty.wav", np.zeros(0), SAMPLE_RATE)
    with pytest.raises(ValueError, match="no audio"):
        read_wav(empty, SAMPLE_RATE)
    (tmp_path / "junk.wav").write_bytes(b"not a wav file")
    with pytest.raises(ValueError, match="not a readable"):
        read_wav(tmp_path / "junk.wav", SAMPLE_RATE)
    (tmp_path / "recordings").mkdir()
    write_wav(tmp_path / "recordings" / "notes.wav", np.ones(10) * 0.1, 8_000)
    with pytest.raises(FileNotFoundError, match="7_jackson_32"):
        load_fsdd(tmp_path)


# ----------------------------------------------------------------------------------------------
# Shortcuts: a bag of frames cannot hear order
# ----------------------------------------------------------------------------------------------


def _log_spectra(data) -> list[np.ndarray]:
    """Log power in 32 bands, 25 ms frames every 10 ms, real frames only: (frames, 32) per utterance."""
    out = []
    window = np.hanning(400)
    for clip, length in zip(data.audio, data.lengths, strict=True):
        frames = np.lib.stride_tricks.sliding_window_view(clip[:length], 400)[::160] * window
        power = np.abs(np.fft.rfft(frames, 512)) ** 2
        out.append(np.log(power[:, 1:257].reshape(len(frames), 32, 8).sum(-1) + 1e-8))
    return out


@pytest.mark.slow
def test_bag_of_frames_cannot_hear_digit_order_but_time_thirds_can():
    """A pair of digits in either order, then a third: "1 8 5" vs "8 1 5" hold the same sounds in another order.

    The label (is the smaller digit of the pair said first?) is invisible to the time-averaged spectrum, which
    must stay near chance; the averages of the first and second thirds keep order and must do much better
    (so the test fails if the generator lets order leak into the bag, or if the strings carry no order at all).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)

    def task(voices, count, seed):
        strings, labels = [], []
        for _ in range(count):
            low, high = ((1, 8), (3, 6), (2, 9), (0, 5))[rng.integers(4)]
            c = rng.choice([d for d in range(10) if d not in (low, high)])
            label = int(rng.integers(2))
            strings.append(f"{low}{high}{c}" if label else f"{high}{low}{c}")
            labels.append(label)
        speakers = [voices[i] for i in rng.integers(0, len(voices), count)]
        return _log_spectra(speak_digit_strings(strings, speakers, seed)), np.array(labels)

    train, y_train = task(SPLITS["train"], 500, 1)
    test, y_test = task(SPLITS["test"], 300, 2)

    def bag(spectra):
        return np.array([np.concatenate([s.mean(0), s.std(0)]) for s in spectra])

    def thirds(spectra):  # where each of the three words roughly is, relative to the whole utterance
        return np.array([np.concatenate([s[:len(s) // 3].mean(0) - s.mean(0), s[len(s) // 3:2 * len(s) // 3].mean(0)
                                         - s.mean(0)]) for s in spectra])

    scores = {}
    for name, features in (("bag", bag), ("thirds", thirds)):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
        model.fit(features(train), y_train)
        scores[name] = model.score(features(test), y_test)
    assert scores["bag"] < 0.62, scores  # chance is 0.5; 300 test strings: 2.1 standard errors above it
    assert scores["thirds"] > 0.7, scores
