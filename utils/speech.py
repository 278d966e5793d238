"""Speech data for ``09_speech_recognition``: speech synthesised offline with eSpeak NG (``espeakng-loader``), and
Speech Commands and the Free Spoken Digit Dataset in their upstream layouts (full profile). Everything is returned
at :data:`SAMPLE_RATE`; the CTC labels put the blank at class 0 and digit ``d`` at class ``d + 1``.
"""

from __future__ import annotations

import ctypes
import hashlib
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np
from scipy.fft import next_fast_len

SAMPLE_RATE = 16_000  # the rate of Speech Commands
KEYWORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")  # mini: not on/off
DIGIT_WORDS: tuple[str, ...] = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
BLANK = 0  # the CTC blank's class (Keras' CTC loss reserves 0)
ACCENTS: tuple[str, ...] = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                            "en-029", "en-us-nyc")  # American, British, Scottish, RP, Lancastrian, W. Midlands, ...
VARIANTS: dict[str, tuple[str, ...]] = {  # eSpeak variants that sound like a person; "klatt": Klatt's synthesiser
    "male": ("m1", "m2", "m3", "m4", "m6", "m7", "m8", "Andy", "Denis", "Diogo", "Gene", "Henrique", "Jacky",
             "Lee", "Mario", "Michael", "Mike", "antonio", "gustave", "iven", "marcelo", "miguel", "paul",
             "pedro", "quincy", "rob", "robert", "sandro", "travis", "victor"),
    "female": ("f1", "f2", "f3", "f4", "f5", "Alicia", "Andrea", "Annie", "anika", "aunty", "belinda", "linda",
               "steph", "Nguyen"),
    "klatt": ("klatt", "klatt2", "klatt3", "adam", "benjamin", "david", "edward"),
}
SYNTH_CHUNK = 500  # utterances per fresh worker process in synthesise()
Job = tuple[str, str, int, int, int]  # (text, voice, rate in words per minute, pitch 0-99, pitch range 0-99)


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
        c = ctypes
        lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
        lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
        lib.espeak_ng_SetRandSeed.argtypes = [c.c_long]
        lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
        lib.espeak_Synth.argtypes = [c.c_void_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint, c.c_void_p,
                                     c.c_void_p]
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

    eSpeak carries a little state from one utterance to the next (the phase of its pitch "flutter"), so each
    chunk of :data:`SYNTH_CHUNK` jobs runs in a fresh process: the result depends on the jobs only.
    """
    Espeak()  # fail here, with the install hint, rather than in a worker
    chunks = [list(jobs[i:i + SYNTH_CHUNK]) for i in range(0, len(jobs), SYNTH_CHUNK)]
    if not chunks:
        return 0, []
    method = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"  # never fork: no inherited state
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=get_context(method), max_tasks_per_child=1) as pool:
        results = list(pool.map(_speak_chunk, chunks))
    return results[0][0], [wave for _, waves in results for wave in waves]


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


def _stack(clips: Sequence[np.ndarray], texts: Sequence[str], speakers: Sequence[str], width: int = 0) -> SpeechSet:
    """Clips zero-padded into one array at least ``width`` samples wide."""
    lengths = np.array([len(clip) for clip in clips], dtype="int32")
    audio = np.zeros((len(clips), max(width, lengths.max() if len(clips) else 0)), "float32")
    for row, clip in enumerate(clips):
        audio[row, :len(clip)] = clip
    return SpeechSet(audio, lengths, list(texts), np.array(speakers, dtype=str))


def _stretch(values: np.ndarray, length: int) -> np.ndarray:
    """Band-limited resampling of ``values`` to ``length`` samples: the spectrum is cut or zero-padded."""
    return (np.fft.irfft(np.fft.rfft(values), length) * (length / len(values))).astype("float32")


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``audio`` from ``rate_in`` to ``rate_out`` Hz; frequencies above the new Nyquist limit are removed."""
    values = np.asarray(audio, dtype="float32")
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"audio must be one non-empty channel of finite samples (no NaN), got shape {values.shape}")
    padded = next_fast_len(len(values), real=True)  # zero-padded to a fast FFT size, the padding cut off after
    stretched = _stretch(np.pad(values, (0, padded - len(values))), round(padded * rate_out / rate_in))
    return stretched[:round(len(values) * rate_out / rate_in)]


def _trim(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence (samples below ``threshold`` of the peak)."""
    loud = np.flatnonzero(np.abs(audio) > threshold * np.abs(audio).max())
    return audio[loud[0]:loud[-1] + 1] if loud.size else audio


def _noise(rng: np.random.Generator, length: int) -> np.ndarray:
    """Unit-power noise of a random colour, from white (hiss) through pink to brown (rumble)."""
    size = next_fast_len(length, real=True)
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
        size = next_fast_len(len(raw), real=True)
        speech = _stretch(np.pad(raw / 32768, (0, size - len(raw))),
                          next_fast_len(int(size * SAMPLE_RATE / native_rate / local.uniform(*speed)), real=True))
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


def encode_digits(text: str) -> np.ndarray:
    """``"3771"`` (spaces allowed) -> classes ``[4, 8, 8, 2]``: digit + 1, since 0 is the CTC blank."""
    digits = str(text).replace(" ", "")
    if not digits or not digits.isdigit() or not digits.isascii():
        raise ValueError(f"a digit string holds the characters 0-9 only (and spaces), got {text!r}")
    return np.array([int(d) + 1 for d in digits], dtype="int32")


def pad_labels(texts: Sequence[str], width: int | None = None) -> np.ndarray:
    """Encoded digit strings as one (n, width) int32 array padded with the blank (Keras' CTC counts non-zeros)."""
    import keras

    encoded = [encode_digits(text) for text in texts]
    if width and any(len(e) > width for e in encoded):
        raise ValueError(f"a label is longer than width={width}")
    return keras.utils.pad_sequences(encoded, maxlen=width or None, dtype="int32", padding="post", value=BLANK)


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM ``.wav`` file as float32 in [-1, 1] (channels averaged) and its sample rate."""
    from scipy.io import wavfile

    try:
        rate, samples = wavfile.read(path)
    except (ValueError, EOFError) as exc:
        raise ValueError(f"{path} is not a readable PCM .wav file ({exc})") from exc
    if samples.dtype != np.int16:
        raise ValueError(f"{path}: only 16-bit PCM .wav is supported, this file has {samples.dtype} samples")
    if not samples.size:
        raise ValueError(f"{path} holds no audio (0 samples)")
    return (samples.reshape(len(samples), -1).astype("float32") / 32768).mean(axis=1), rate


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


def _read_clips(paths: Sequence[Path], rate: int, name: str) -> list[np.ndarray]:
    clips = []
    for path in paths:
        clip, found = read_wav(path)
        if found != rate:
            raise ValueError(f"{path} is at {found} Hz; {name} are {rate} Hz")
        clips.append(clip)
    return clips


def _speaker(path: str | Path) -> str:
    """The speaker id of a Speech Commands clip: its file name before ``_nohash_``."""
    return re.sub(r"_nohash_.*$", "", Path(path).name)


def speech_commands_split(path: str | Path, validation_percent: float = 10, test_percent: float = 10) -> str:
    """Speech Commands' own speaker split: a hash of the speaker id."""
    percent = (int(hashlib.sha1(_speaker(path).encode()).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1))
    if percent < validation_percent:
        return "validation"
    return "test" if percent < validation_percent + test_percent else "train"


def load_speech_commands(folder: str | Path, words: Sequence[str] | None = None, max_per_word: int | None = None,
                         seconds: float = 1.0, seed: int = 0) -> dict[str, SpeechSet]:
    """Speech Commands (mini or v0.02: one folder of 16 kHz clips per word) as train/validation/test sets.

    v0.02's ``validation_list.txt``/``testing_list.txt`` give the split, else the speaker hash. ``words=None`` takes
    every word; ``max_per_word`` samples that many clips per word and split; clips are padded or cut to ``seconds``.
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
        clips = _read_clips([path for path, _ in items], SAMPLE_RATE, "Speech Commands clips")
        sets[split] = _stack([clip[:length] for clip in clips], [word for _, word in items],
                             [_speaker(path) for path, _ in items], length)
    return sets


FSDD_NAME = re.compile(r"^(?P<digit>\d)_(?P<speaker>[a-z]+)_(?P<index>\d+)\.wav$")
FSDD_RATE = 8_000


def load_fsdd(folder: str | Path) -> SpeechSet:
    """The Free Spoken Digit Dataset (``recordings/{digit}_{speaker}_{index}.wav``, 8 kHz), resampled to 16 kHz."""
    root = _find_root(Path(folder), lambda p: p.name == "recordings" and bool(_wavs(p)))
    paths = [p for p in _wavs(root) if FSDD_NAME.match(p.name)]
    if not paths:
        raise FileNotFoundError(f"{root} holds no files named like 7_jackson_32.wav")
    clips = [resample(clip, FSDD_RATE, SAMPLE_RATE) for clip in _read_clips(paths, FSDD_RATE, "FSDD recordings")]
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
