"""Speech data for ``09_speech_recognition``: real synthesised speech offline, real recordings online.

* :class:`Espeak` — the eSpeak NG synthesiser (shipped in the ``espeakng-loader`` wheel) through ``ctypes``:
  text in, 16-bit samples at 22,050 Hz out; :func:`synthesise` runs many utterances reproducibly.
* :func:`make_voices` / :func:`split_voices` — speakers built from eSpeak's voice variants (formants, pitch)
  with an accent, pitch and rate; splits never share a variant, so test voices are never heard in training.
* :func:`make_keyword_set` / :func:`make_digit_string_set` — the default profile's data, made from a seed:
  one-second keyword clips, and strings of 3-6 digits spoken without pauses, each with its own speed,
  pitch, level, position and background noise. No audio is stored on disk.
* :func:`load_speech_commands` / :func:`load_fsdd` / :func:`concatenate_digits` — the ``full`` profile:
  Speech Commands (mini or v0.02) and the Free Spoken Digit Dataset, read in their upstream layouts.
* :func:`encode_digits` / :func:`decode_digits` / :func:`pad_labels` — CTC labels (the notebook writes the
  greedy decoder and the edit distance itself).

Everything is returned at :data:`SAMPLE_RATE` (16 kHz, the rate of Speech Commands); eSpeak's 22,050 Hz
and FSDD's 8 kHz are converted with a band-limited FFT resampler (:func:`resample`).
"""

from __future__ import annotations

import ctypes
import hashlib
import re
import wave
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
KEYWORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
"""The ten command words of Speech Commands (its mini subset has eight: not *on*, *off*)."""
DIGIT_WORDS: tuple[str, ...] = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
BLANK = 0
"""The CTC blank's class (Keras' CTC loss reserves 0); digit ``d`` is class ``d + 1``."""
ACCENTS: tuple[str, ...] = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                            "en-029", "en-us-nyc")
"""eSpeak's English accents: American, British, Scottish, RP, Lancastrian, West Midlands, Caribbean, New York."""
VARIANTS: dict[str, tuple[str, ...]] = {
    "male": ("m1", "m2", "m3", "m4", "m6", "m7", "m8", "Andy", "Denis", "Diogo", "Gene", "Henrique", "Jacky",
             "Lee", "Mario", "Michael", "Mike", "antonio", "gustave", "iven", "marcelo", "miguel", "paul",
             "pedro", "quincy", "rob", "robert", "sandro", "travis", "victor"),
    "female": ("f1", "f2", "f3", "f4", "f5", "Alicia", "Andrea", "Annie", "anika", "aunty", "belinda", "linda",
               "steph", "Nguyen"),
    "klatt": ("klatt", "klatt2", "klatt3", "adam", "benjamin", "david", "edward"),
}
"""eSpeak voice variants that sound like a person (robots, whispers and echoes left out), by kind; the
``klatt`` ones use eSpeak's second synthesis method (Klatt's formant synthesiser)."""
SYNTH_CHUNK = 500
"""Utterances per fresh worker process in :func:`synthesise`."""
Job = tuple[str, str, int, int, int]
"""What :func:`synthesise` speaks: (text, voice, rate in words per minute, pitch 0-99, pitch range 0-99)."""


class SynthesiserUnavailableError(RuntimeError):
    """The eSpeak NG library or its voice data could not be loaded."""


def _install_hint(reason: str) -> SynthesiserUnavailableError:
    return SynthesiserUnavailableError(
        f"The eSpeak NG speech synthesiser could not be loaded ({reason}). Notebook 09 makes its speech with "
        "it: install it with `pip install espeakng-loader` (the course pins espeakng-loader==0.2.4), then "
        "restart the kernel.")


class Espeak:
    """eSpeak NG through ``ctypes``: synchronous synthesis into a callback that collects the samples."""

    _CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    _SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8 = 2, 1, 1
    _RATE, _PITCH, _RANGE = 1, 3, 4  # espeak_PARAMETER values

    def __init__(self, library_path: str | Path | None = None, data_path: str | Path | None = None) -> None:
        if library_path is None or data_path is None:
            try:
                import espeakng_loader
            except ImportError as exc:
                raise _install_hint("the Python package espeakng-loader is not installed") from exc
            library_path = library_path or espeakng_loader.get_library_path()
            data_path = data_path or espeakng_loader.get_data_path()
        try:
            self._lib = lib = ctypes.CDLL(str(library_path))
        except OSError as exc:
            raise _install_hint(f"{library_path}: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.native_rate = int(lib.espeak_Initialize(self._SYNCHRONOUS, 0, str(data_path).encode(), 0))
        if self.native_rate <= 0:
            raise _install_hint(f"espeak_Initialize failed with the voice data at {data_path}")
        folder = Path(data_path) / "voices" / "!v"
        self.variants = frozenset(p.name for p in folder.iterdir()) if folder.is_dir() else frozenset()
        self._chunks: list[np.ndarray] = []
        self._callback = self._CALLBACK(self._collect)  # kept on self: the library holds a raw pointer to it

    def _collect(self, samples, count, _events) -> int:
        if count > 0 and samples:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0  # go on

    def speak(self, text: str, voice: str = "en-us", rate: int = 175, pitch: int = 50,
              pitch_range: int = 50) -> np.ndarray:
        """``text`` spoken by ``voice`` (``"accent+variant"``), as int16 samples at :attr:`native_rate`."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text must be a non-empty string, got {text!r}")
        variant = voice.partition("+")[2]  # eSpeak silently ignores an unknown variant: check it here
        if (variant and variant not in self.variants) or self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"eSpeak NG has no voice {voice!r}; use 'accent+variant' with an accent such as "
                             f"{ACCENTS[:3]} and a variant from utils.speech.VARIANTS")
        for parameter, value in ((self._RATE, rate), (self._PITCH, pitch), (self._RANGE, pitch_range)):
            self._lib.espeak_SetParameter(parameter, int(value), 0)
        self._lib.espeak_SetSynthCallback(self._callback)  # the library is shared: claim it for this instance
        self._lib.espeak_ng_SetRandSeed(0)
        self._chunks = []
        encoded = text.encode() + b"\0"
        self._lib.espeak_Synth(encoded, len(encoded), 0, self._POS_CHARACTER, 0, self._CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)


def _speak_chunk(jobs: list[Job]) -> tuple[int, list[np.ndarray]]:
    engine = Espeak()
    return engine.native_rate, [engine.speak(*job) for job in jobs]


def synthesise(jobs: Sequence[Job], workers: int = 2) -> tuple[int, list[np.ndarray]]:
    """Speak every job; return the native sample rate and one int16 waveform per job.

    eSpeak carries a little state from one utterance to the next (the phase of its pitch "flutter"), so
    the same job comes out slightly different after different predecessors. Each chunk of
    :data:`SYNTH_CHUNK` jobs therefore runs in a fresh process: the result depends on the jobs only.
    """
    Espeak()  # fail here, with the install hint, rather than in a worker
    chunks = [list(jobs[i:i + SYNTH_CHUNK]) for i in range(0, len(jobs), SYNTH_CHUNK)]
    if not chunks:
        return 0, []
    method = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"  # never fork: no inherited state
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=get_context(method), max_tasks_per_child=1) as pool:
        results = list(pool.map(_speak_chunk, chunks))
    return results[0][0], [wave for _, waves in results for wave in waves]


# ----------------------------------------------------------------------------------------------
# Voices and the generated data sets
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: an eSpeak variant speaking with an accent, a base pitch and a speaking rate."""

    variant: str
    accent: str = "en-us"
    pitch: int = 50
    pitch_range: int = 50
    rate: int = 170

    @property
    def name(self) -> str:
        return f"{self.accent}+{self.variant}"


def make_voices(seed: int, per_variant: int = 1) -> list[Voice]:
    """``per_variant`` speakers of every variant in :data:`VARIANTS`, each with its own accent, pitch and rate."""
    if per_variant < 1:
        raise ValueError(f"per_variant must be >= 1, got {per_variant}")
    rng = np.random.default_rng(seed)
    return [Voice(variant, str(accent), int(rng.integers(30, 71)), int(rng.integers(30, 81)),
                  int(rng.integers(145, 196)))
            for group in VARIANTS.values() for variant in group
            for accent in rng.choice(ACCENTS, per_variant, replace=False)]


def split_voices(voices: Sequence[Voice], validation: float = 0.15, test: float = 0.25,
                 seed: int = 0) -> dict[str, list[Voice]]:
    """Deal whole variants to train/validation/test, kind by kind (male, female, Klatt), so that no test
    speaker shares its variant (its vocal tract) with a training speaker."""
    if not (0 < validation < 1 and 0 < test < 1 and validation + test < 1):
        raise ValueError(f"validation and test must be fractions with a sum below 1, got {validation}, {test}")
    unknown = sorted({voice.variant for voice in voices} - {v for group in VARIANTS.values() for v in group})
    if unknown:
        raise ValueError(f"unknown voice variants {unknown}; use variants from utils.speech.VARIANTS")
    rng = np.random.default_rng(seed)
    split_of: dict[str, str] = {}
    for group in VARIANTS.values():
        present = [variant for variant in group if any(voice.variant == variant for voice in voices)]
        n_test, n_val = round(test * len(present)), round(validation * len(present))
        for position, index in enumerate(rng.permutation(len(present))):
            split_of[present[index]] = "test" if position < n_test else \
                "validation" if position < n_test + n_val else "train"
    return {split: [voice for voice in voices if split_of[voice.variant] == split]
            for split in ("train", "validation", "test")}


@dataclass
class SpeechSet:
    """Utterances at :data:`SAMPLE_RATE`: ``audio`` (n, samples) float32 zero-padded, real ``lengths``,
    ``texts`` (a keyword, or digits like ``"3771"``) and ``speakers`` (a name per utterance)."""

    audio: np.ndarray
    lengths: np.ndarray
    texts: list[str]
    speakers: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray | Sequence[int]) -> SpeechSet:
        """The utterances at ``index`` (positions or a boolean mask)."""
        rows = np.flatnonzero(index) if np.asarray(index).dtype == bool else np.asarray(index, dtype=int)
        width = int(self.lengths[rows].max()) if len(rows) else 0
        return SpeechSet(self.audio[rows, :width], self.lengths[rows], [self.texts[i] for i in rows],
                         self.speakers[rows])

    def labels(self, vocabulary: Sequence[str]) -> np.ndarray:
        """The index of every text in ``vocabulary``."""
        unknown = sorted(set(self.texts) - set(vocabulary))
        if unknown:
            raise ValueError(f"unknown words {unknown}: not in the vocabulary {list(vocabulary)}")
        return np.array([list(vocabulary).index(text) for text in self.texts], dtype="int32")


def _stack(clips: Sequence[np.ndarray], texts: Sequence[str], speakers: Sequence[str]) -> SpeechSet:
    lengths = np.array([len(clip) for clip in clips], dtype="int32")
    audio = np.zeros((len(clips), lengths.max() if len(clips) else 0), "float32")
    for row, clip in enumerate(clips):
        audio[row, :len(clip)] = clip
    return SpeechSet(audio, lengths, list(texts), np.array(speakers, dtype=str))


def check_audio(audio: np.ndarray, sample_rate: int, expected_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``audio`` as float32 after checking it is one channel, non-empty, finite and at ``expected_rate``."""
    if int(sample_rate) != int(expected_rate):
        raise ValueError(f"audio is at {sample_rate} Hz but {expected_rate} Hz is expected; resample it first "
                         f"(utils.speech.resample(audio, {sample_rate}, {expected_rate}))")
    values = np.asarray(audio, dtype="float32")
    if values.ndim != 1:
        raise ValueError(f"audio must be one channel, shape (samples,), got shape {values.shape}")
    if values.size == 0:
        raise ValueError("audio is empty (0 samples): nothing was recorded or synthesised")
    if not np.all(np.isfinite(values)):
        raise ValueError("audio contains NaN or infinite samples")
    return values


def _fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n (FFT sizes numpy transforms quickly)."""
    best, power5 = 1 << max(0, n - 1).bit_length(), 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            best = min(best, power35 << max(0, -(-n // power35) - 1).bit_length())
            power35 *= 3
        power5 *= 5
    return best


def _stretch(values: np.ndarray, length: int) -> np.ndarray:
    """Band-limited resampling of ``values`` to ``length`` samples: the spectrum is cut or zero-padded."""
    return (np.fft.irfft(np.fft.rfft(values), length) * (length / len(values))).astype("float32")


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``audio`` from ``rate_in`` to ``rate_out`` Hz; frequencies above the new Nyquist limit are removed."""
    values = check_audio(audio, rate_in, expected_rate=rate_in)
    padded = _fast_length(len(values))  # zero-padded to a fast FFT size, the padding cut off after
    stretched = _stretch(np.pad(values, (0, padded - len(values))), round(padded * rate_out / rate_in))
    return stretched[:max(1, round(len(values) * rate_out / rate_in))]


def _trim(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence (samples below ``threshold`` of the peak)."""
    loud = np.flatnonzero(np.abs(audio) > threshold * np.abs(audio).max())
    return audio[loud[0]:loud[-1] + 1] if loud.size else audio


def _noise(rng: np.random.Generator, length: int) -> np.ndarray:
    """Unit-power noise of a random colour, from white (hiss) through pink to brown (rumble)."""
    size = _fast_length(length)
    spectrum = np.fft.rfft(rng.standard_normal(size))
    spectrum /= np.maximum(np.fft.rfftfreq(size, 1 / SAMPLE_RATE), 50.0) ** rng.uniform(0, 1)
    noise = np.fft.irfft(spectrum, size)[:length]
    return (noise / (noise.std() + 1e-12)).astype("float32")


def _render(texts: Sequence[str], voices: Sequence[Voice], seed: int, seconds: float | None,
            snr_db: tuple[float, float], speed: tuple[float, float], workers: int) -> SpeechSet:
    """Speak every (text, voice) pair with its own rate and pitch, change its speed and level, place it in noise."""
    rng = np.random.default_rng(seed)
    jobs = [(text, voice.name, int(voice.rate * rng.uniform(0.88, 1.12)),
             int(np.clip(voice.pitch + rng.integers(-8, 9), 0, 99)), voice.pitch_range)
            for text, voice in zip(texts, voices, strict=True)]
    native_rate, waves = synthesise(jobs, workers)
    clips = []
    for index, raw in enumerate(waves):
        local = np.random.default_rng([seed, index])
        # To 16 kHz and a random speed in one resampling ("speed perturbation": tempo and pitch change
        # together); both lengths are rounded to fast FFT sizes, which only nudges the random speed.
        size = _fast_length(len(raw))
        speech = _stretch(np.pad(raw / 32768, (0, size - len(raw))),
                          _fast_length(int(size * SAMPLE_RATE / native_rate / local.uniform(*speed))))
        speech = _trim(speech)
        speech *= 10 ** (local.uniform(-26, -14) / 20) / (speech.std() + 1e-9)  # level in dB re full scale
        length = int(seconds * SAMPLE_RATE) if seconds else len(speech) + int(local.uniform(0.1, 0.4) * SAMPLE_RATE)
        start = max(0, (len(speech) - length) // 2)  # a keyword longer than the clip keeps its middle
        speech = speech[start:start + length]
        clip = np.zeros(length, "float32")
        offset = int(local.integers(0, length - len(speech) + 1))
        clip[offset:offset + len(speech)] = speech
        clip += _noise(local, length) * speech.std() * 10 ** (-local.uniform(*snr_db) / 20)
        clips.append(np.clip(clip, -1, 1))
    return _stack(clips, texts, [voice.name for voice in voices])


def make_keyword_set(voices: Sequence[Voice], per_word: int, seed: int, words: Sequence[str] = KEYWORDS,
                     seconds: float = 1.0, snr_db: tuple[float, float] = (10, 30),
                     speed: tuple[float, float] = (0.85, 1.15), workers: int = 2) -> SpeechSet:
    """``per_word`` clips of every word, ``seconds`` long, the voices taking turns; shuffled."""
    if per_word < 1 or not voices or not words:
        raise ValueError(f"need per_word >= 1, some voices and some words; got {per_word}, {len(voices)}, {words}")
    if any(not re.fullmatch(r"[a-z]+", word) for word in words):
        raise ValueError(f"keywords must be single lower-case English words, got {list(words)}")
    pairs = [(word, voices[(i * len(words) + j) % len(voices)]) for i in range(per_word)
             for j, word in enumerate(words)]
    order = np.random.default_rng(seed).permutation(len(pairs))
    return _render([pairs[i][0] for i in order], [pairs[i][1] for i in order], seed, seconds, snr_db, speed, workers)


def make_digit_string_set(voices: Sequence[Voice], count: int, seed: int, digits: tuple[int, int] = (3, 6),
                          snr_db: tuple[float, float] = (10, 30), speed: tuple[float, float] = (0.85, 1.15),
                          workers: int = 2) -> SpeechSet:
    """``count`` random strings of ``digits[0]`` to ``digits[1]`` digits, each by a random one of ``voices``."""
    low, high = digits
    if count < 1 or not voices or not 1 <= low <= high:
        raise ValueError(f"need count >= 1, some voices and 1 <= digits[0] <= digits[1]; got {count}, {digits}")
    rng = np.random.default_rng(seed)
    strings = ["".join(map(str, rng.integers(0, 10, rng.integers(low, high + 1)))) for _ in range(count)]
    return speak_digit_strings(strings, [voices[i] for i in rng.integers(0, len(voices), count)], seed,
                               snr_db, speed, workers)


def speak_digit_strings(strings: Sequence[str], speakers: Sequence[Voice], seed: int,
                        snr_db: tuple[float, float] = (10, 30), speed: tuple[float, float] = (0.85, 1.15),
                        workers: int = 2) -> SpeechSet:
    """Every digit string (``"3771"``) spoken by its speaker, the words run together ("three seven seven one")."""
    words = [" ".join(DIGIT_WORDS[label - 1] for label in encode_digits(text)) for text in strings]
    spoken = _render(words, speakers, seed, None, snr_db, speed, workers)
    spoken.texts = [str(text).replace(" ", "") for text in strings]
    return spoken


# ----------------------------------------------------------------------------------------------
# CTC labels
# ----------------------------------------------------------------------------------------------


def encode_digits(text: str) -> np.ndarray:
    """``"3771"`` (spaces allowed) -> classes ``[4, 8, 8, 2]``: digit + 1, since 0 is the CTC blank."""
    digits = str(text).replace(" ", "")
    if not digits or not digits.isdigit() or not digits.isascii():
        raise ValueError(f"a digit string holds the characters 0-9 only (and spaces), got {text!r}")
    return np.array([int(d) + 1 for d in digits], dtype="int32")


def decode_digits(labels: Iterable[int]) -> str:
    """Classes -> digit string, the inverse of :func:`encode_digits` (blanks must be gone)."""
    values = [int(v) for v in labels]
    if any(not 1 <= v <= 10 for v in values):
        raise ValueError(f"digit classes run from 1 to 10 (0 is the blank); got {values}")
    return "".join(str(v - 1) for v in values)


def pad_labels(texts: Sequence[str], width: int | None = None) -> np.ndarray:
    """Encoded digit strings as one (n, width) int32 array padded with the blank (Keras' CTC counts non-zeros)."""
    encoded = [encode_digits(text) for text in texts]
    width = width or max(len(e) for e in encoded)
    if any(len(e) > width for e in encoded):
        raise ValueError(f"a label is longer than width={width}")
    out = np.full((len(encoded), width), BLANK, dtype="int32")
    for row, labels in enumerate(encoded):
        out[row, :len(labels)] = labels
    return out


# ----------------------------------------------------------------------------------------------
# Full profile: Speech Commands and the Free Spoken Digit Dataset, in their upstream layouts
# ----------------------------------------------------------------------------------------------


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM ``.wav`` file as float32 in [-1, 1] (channels averaged) and its sample rate."""
    try:
        with wave.open(str(path), "rb") as handle:
            channels, width, rate = handle.getnchannels(), handle.getsampwidth(), handle.getframerate()
            frames = handle.readframes(handle.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path} is not a readable PCM .wav file ({exc})") from exc
    if width != 2:
        raise ValueError(f"{path}: only 16-bit PCM .wav is supported, this file has {8 * width}-bit samples")
    if not frames:
        raise ValueError(f"{path} holds no audio (0 samples)")
    return (np.frombuffer(frames, dtype="<i2").astype("float32") / 32768).reshape(-1, channels).mean(axis=1), rate


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Mono audio in [-1, 1] as a 16-bit PCM ``.wav`` (the tests write their fixtures with it)."""
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(int(sample_rate))
        handle.writeframes((np.clip(np.asarray(audio, "float64"), -1, 1) * 32767).round().astype("<i2").tobytes())
    return Path(path)


def _wavs(folder: Path) -> list[Path]:
    """The ``.wav`` files of a folder, without macOS' ``._name.wav`` companions."""
    return sorted(p for p in folder.glob("*.wav") if not p.name.startswith("."))


def _find_root(folder: Path, is_root: Callable[[Path], bool]) -> Path:
    """``folder`` or the first folder below it that ``is_root`` accepts (``__MACOSX`` and hidden ones skipped)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; fetch the data set first (utils.downloads.fetch)")
    below = sorted(p for p in folder.rglob("*") if p.is_dir()
                   and not any(part.startswith((".", "__MACOSX")) for part in p.relative_to(folder).parts))
    root = next((candidate for candidate in [folder, *below] if is_root(candidate)), None)
    if root is None:
        raise FileNotFoundError(f"no data set in the expected layout under {folder}")
    return root


def speech_commands_split(path: str | Path, validation_percent: float = 10, test_percent: float = 10) -> str:
    """Speech Commands' own speaker split: a hash of the speaker id (the file name before ``_nohash_``)."""
    speaker = re.sub(r"_nohash_.*$", "", Path(path).name)
    percent = (int(hashlib.sha1(speaker.encode()).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1))
    if percent < validation_percent:
        return "validation"
    return "test" if percent < validation_percent + test_percent else "train"


def load_speech_commands(folder: str | Path, words: Sequence[str] | None = None, max_per_word: int | None = None,
                         seconds: float = 1.0, seed: int = 0) -> dict[str, SpeechSet]:
    """Speech Commands (mini or v0.02) as train/validation/test :class:`SpeechSet` s, split by speaker.

    ``folder`` holds one folder of 16 kHz ``.wav`` clips per word (or one level down, as the mini zip
    extracts). v0.02's ``validation_list.txt``/``testing_list.txt`` give the split, else the speaker hash
    (:func:`speech_commands_split`). ``words=None`` takes every word; ``max_per_word`` keeps a random sample
    of that many clips per word and split. Clips are zero-padded or cut to ``seconds``.
    """
    root = _find_root(Path(folder), lambda p: any(_wavs(word) for word in p.iterdir() if word.is_dir()))
    available = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    words = list(words) if words is not None else available
    missing = [word for word in words if word not in available]
    if missing:
        raise ValueError(f"unknown words {missing}: {root} has folders for {available}")
    listed = {line.strip(): split for split, name in (("validation", "validation_list.txt"),
                                                     ("test", "testing_list.txt")) if (root / name).is_file()
              for line in (root / name).read_text().splitlines() if line.strip()}
    rng = np.random.default_rng(seed)
    chosen: dict[str, list[tuple[Path, str]]] = {"train": [], "validation": [], "test": []}
    for word in words:
        by_split: dict[str, list[Path]] = {split: [] for split in chosen}
        for path in _wavs(root / word):
            by_split[listed.get(f"{word}/{path.name}", "train") if listed else speech_commands_split(path)].append(path)
        for split, paths in by_split.items():
            keep = sorted(rng.permutation(len(paths))[:max_per_word]) if max_per_word else range(len(paths))
            chosen[split] += [(paths[i], word) for i in keep]
    sets, length = {}, int(seconds * SAMPLE_RATE)
    for split, items in chosen.items():
        clips = []
        for path, _ in items:
            clip, rate = read_wav(path)
            if rate != SAMPLE_RATE:
                raise ValueError(f"{path} is at {rate} Hz; Speech Commands clips are {SAMPLE_RATE} Hz")
            clips.append(clip[:length])
        sets[split] = _stack(clips, [word for _, word in items],
                             [re.sub(r"_nohash_.*$", "", path.name) for path, _ in items])
        sets[split].audio = np.pad(sets[split].audio, ((0, 0), (0, length - sets[split].audio.shape[1])))
    return sets


FSDD_NAME = re.compile(r"^(?P<digit>\d)_(?P<speaker>[a-z]+)_(?P<index>\d+)\.wav$")
FSDD_RATE = 8_000


def load_fsdd(folder: str | Path) -> SpeechSet:
    """The Free Spoken Digit Dataset (``recordings/{digit}_{speaker}_{index}.wav``, 8 kHz), resampled to 16 kHz."""
    root = _find_root(Path(folder), lambda p: p.name == "recordings" and bool(_wavs(p)))
    paths = [p for p in _wavs(root) if FSDD_NAME.match(p.name)]
    if not paths:
        raise FileNotFoundError(f"{root} holds no files named like 7_jackson_32.wav")
    clips = []
    for path in paths:
        clip, rate = read_wav(path)
        if rate != FSDD_RATE:
            raise ValueError(f"{path} is at {rate} Hz; FSDD recordings are {FSDD_RATE} Hz")
        clips.append(resample(clip, FSDD_RATE, SAMPLE_RATE))
    names = [FSDD_NAME.match(path.name) for path in paths]
    return _stack(clips, [m["digit"] for m in names], [m["speaker"] for m in names])


def concatenate_digits(recordings: SpeechSet, count: int, seed: int, digits: tuple[int, int] = (3, 6),
                       speakers: Sequence[str] | None = None) -> SpeechSet:
    """``count`` digit strings, each joined from one speaker's single-digit recordings, silences trimmed."""
    pool = np.flatnonzero(np.isin(recordings.speakers, list(speakers) if speakers is not None
                                  else recordings.speakers))
    if pool.size == 0:
        raise ValueError(f"no recordings of speakers {speakers}; there are {sorted(set(recordings.speakers))}")
    texts = np.array(recordings.texts)
    rng = np.random.default_rng(seed)
    strings, names, clips = [], [], []
    for _ in range(count):
        speaker = recordings.speakers[rng.choice(pool)]
        string = "".join(map(str, rng.integers(0, 10, rng.integers(digits[0], digits[1] + 1))))
        parts = [np.zeros(int(rng.uniform(0.05, 0.2) * SAMPLE_RATE), "float32")]
        for digit in string:
            choices = pool[(recordings.speakers[pool] == speaker) & (texts[pool] == digit)]
            if choices.size == 0:
                raise ValueError(f"speaker {speaker} has no recording of the digit {digit}")
            index = rng.choice(choices)
            parts.append(_trim(recordings.audio[index, :recordings.lengths[index]]))
        clips.append(np.concatenate([*parts, np.zeros(int(rng.uniform(0.05, 0.2) * SAMPLE_RATE), "float32")]))
        strings.append(string)
        names.append(speaker)
    return _stack(clips, strings, names)
