"""Speech data for ``09_speech_recognition``: speech synthesised offline with eSpeak NG (``espeakng-loader``), and
Speech Commands and the Free Spoken Digit Dataset in their upstream layouts (full profile). Everything is returned
at :data:`SAMPLE_RATE`; the CTC blank is class :data:`BLANK`.
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
    """The eSpeak NG library or its voice data could not be loaded; the message says how to install it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The eSpeak NG speech synthesiser could not be loaded ({reason}). Notebook 09 makes its "
                         "speech with it: install it with `pip install espeakng-loader` (the course pins "
                         "espeakng-loader==0.2.4), then restart the kernel.")


class Espeak:
    """eSpeak NG through ``ctypes``: synchronous synthesis into a callback that collects the samples."""

    _CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    _SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8 = 2, 1, 1
    _RATE, _PITCH, _RANGE = 1, 3, 4  # espeak_PARAMETER values

    def __init__(self) -> None:
        try:  # the library and its voice data ship in the espeakng-loader wheel
            import espeakng_loader

            self._lib = lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (ImportError, OSError, RuntimeError) as exc:  # RuntimeError: the wheel has no voice data
            raise SynthesiserUnavailableError(str(exc)) from exc
        c = ctypes
        lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
        lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
        lib.espeak_ng_SetRandSeed.argtypes = [c.c_long]
        lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
        lib.espeak_Synth.argtypes = [c.c_void_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint, c.c_void_p,
                                     c.c_void_p]
        self.native_rate = int(lib.espeak_Initialize(self._SYNCHRONOUS, 0, str(data_path).encode(), 0))
        if self.native_rate <= 0:
            raise SynthesiserUnavailableError(f"espeak_Initialize failed with the voice data at {data_path}")
        self.variants = frozenset(p.name for p in (Path(data_path) / "voices" / "!v").iterdir())
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
        self._chunks: list[np.ndarray] = []
        encoded = text.encode() + b"\0"
        self._lib.espeak_Synth(encoded, len(encoded), 0, self._POS_CHARACTER, 0, self._CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)


def _speak_chunk(jobs: list[Job]) -> list[np.ndarray]:
    engine = Espeak()
    return [engine.speak(*job) for job in jobs]


def synthesise(jobs: Sequence[Job], workers: int = 2) -> tuple[int, list[np.ndarray]]:
    """Speak every job; return the native sample rate and one int16 waveform per job.

    eSpeak carries a little state from one utterance to the next (the phase of its pitch "flutter"), so each
    chunk of :data:`SYNTH_CHUNK` jobs runs in a fresh process: the result depends on the jobs only.
    """
    native_rate = Espeak().native_rate  # fail here, with the install hint, rather than in a worker
    chunks = [list(jobs[i:i + SYNTH_CHUNK]) for i in range(0, len(jobs), SYNTH_CHUNK)]
    method = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"  # never fork: no inherited state
    with ProcessPoolExecutor(max(1, min(workers, len(chunks))), mp_context=get_context(method),
                             max_tasks_per_child=1) as pool:
        return native_rate, [wave for waves in pool.map(_speak_chunk, chunks) for wave in waves]


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
        rows = np.arange(len(self))[index]
        return SpeechSet(self.audio[rows, :self.lengths[rows].max(initial=0)], self.lengths[rows],
                         [self.texts[i] for i in rows], self.speakers[rows])

    def labels(self, vocabulary: Sequence[str]) -> np.ndarray:
        """The index of every text in ``vocabulary``."""
        unknown = sorted(set(self.texts) - set(vocabulary))
        if unknown:
            raise ValueError(f"unknown words {unknown}: not in the vocabulary {list(vocabulary)}")
        return np.array([list(vocabulary).index(text) for text in self.texts], dtype="int32")


def _stack(clips: Sequence[np.ndarray], texts: Sequence[str], speakers: Sequence[str],
           width: int | None = None) -> SpeechSet:
    """Clips zero-padded into one array as wide as the longest, or cut and padded to ``width`` samples."""
    import keras

    lengths = np.array([len(clip) for clip in clips], dtype="int32")
    audio = keras.utils.pad_sequences(clips, maxlen=width or lengths.max(initial=0), dtype="float32", padding="post",
                                      truncating="post")
    return SpeechSet(audio, np.minimum(lengths, audio.shape[1]), list(texts), np.array(speakers, dtype=str))


def _stretch(values: np.ndarray, size: int, length: int) -> np.ndarray:
    """Band-limited resampling: ``values`` zero-padded to ``size`` samples, its spectrum cut or zero-padded to
    ``length`` samples."""
    return (np.fft.irfft(np.fft.rfft(values, size), length) * (length / size)).astype("float32")


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``audio`` from ``rate_in`` to ``rate_out`` Hz; frequencies above the new Nyquist limit are removed."""
    values = np.asarray(audio, dtype="float32")
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"audio must be one non-empty channel of finite samples (no NaN), got shape {values.shape}")
    padded = next_fast_len(len(values), real=True)  # zero-padded to a fast FFT size, the padding cut off after
    return _stretch(values, padded, round(padded * rate_out / rate_in))[:round(len(values) * rate_out / rate_in)]


def _trim(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence (samples below ``threshold`` of the peak)."""
    loud = np.flatnonzero(np.abs(audio) > threshold * np.abs(audio).max())
    return audio[loud[0]:loud[-1] + 1] if loud.size else audio


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
        new_size = next_fast_len(int(size * SAMPLE_RATE / native_rate / local.uniform(*speed)), real=True)
        speech = _trim(_stretch(raw / 32768, size, new_size))
        speech *= 10 ** (local.uniform(-26, -14) / 20) / (speech.std() + 1e-9)  # level in dB re full scale
        length = int(seconds * SAMPLE_RATE) if seconds else len(speech) + int(local.uniform(0.1, 0.4) * SAMPLE_RATE)
        start = max(0, (len(speech) - length) // 2)  # a keyword longer than the clip keeps its middle
        speech = speech[start:start + length]
        offset = int(local.integers(0, length - len(speech) + 1))
        clip = np.pad(speech, (offset, length - len(speech) - offset))
        # unit-power noise of a random colour, from white (hiss) through pink to brown (rumble), at a random SNR
        size = next_fast_len(length, real=True)
        spectrum = np.fft.rfft(local.standard_normal(size))
        spectrum /= np.maximum(np.fft.rfftfreq(size, 1 / SAMPLE_RATE), 50.0) ** local.uniform(0, 1)
        noise = np.fft.irfft(spectrum, size)[:length]
        clip += (noise / (noise.std() + 1e-12)).astype("float32") * speech.std() * 10 ** (-local.uniform(*snr_db) / 20)
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
    order = np.random.default_rng(seed).permutation(per_word * len(words))  # clip k: word k % words, voice k % voices
    return _render([words[k % len(words)] for k in order], [voices[k % len(voices)] for k in order], seed, seconds,
                   snr_db, speed, workers)


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
    digits = [str(text).replace(" ", "") for text in strings]
    if not all(text.isdigit() and text.isascii() for text in digits):
        raise ValueError(f"a digit string holds the characters 0-9 only (and spaces), got {list(strings)}")
    spoken = _render([" ".join(DIGIT_WORDS[int(d)] for d in text) for text in digits], speakers, seed, None,
                     snr_db, speed, workers)
    spoken.texts = digits
    return spoken


def read_wav(path: str | Path, rate: int) -> np.ndarray:
    """A 16-bit PCM ``.wav`` file recorded at ``rate`` Hz as float32 in [-1, 1] (channels averaged)."""
    from scipy.io import wavfile

    try:
        found, samples = wavfile.read(path)
    except (ValueError, EOFError) as exc:
        raise ValueError(f"{path} is not a readable PCM .wav file ({exc})") from exc
    if found != rate:
        raise ValueError(f"{path} is at {found} Hz; its data set is at {rate} Hz")
    if samples.dtype != np.int16:
        raise ValueError(f"{path}: only 16-bit PCM .wav is supported, this file has {samples.dtype} samples")
    if not samples.size:
        raise ValueError(f"{path} holds no audio (0 samples)")
    return (samples.reshape(len(samples), -1).astype("float32") / 32768).mean(axis=1)


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


def speech_commands_split(path: str | Path) -> str:
    """Speech Commands' own speaker split, 10 % validation and 10 % test: a hash of the speaker id (the file name
    before ``_nohash_``)."""
    speaker = Path(path).name.partition("_nohash_")[0]
    percent = (int(hashlib.sha1(speaker.encode()).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1))
    return "validation" if percent < 10 else "test" if percent < 20 else "train"


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
    listed = {line: split for split, name in (("validation", "validation_list.txt"), ("test", "testing_list.txt"))
              if (root / name).is_file() for line in (root / name).read_text().split()}  # one path per line
    rng = np.random.default_rng(seed)
    chosen: dict[str, list[tuple[Path, str]]] = {"train": [], "validation": [], "test": []}
    for word in words:
        paths = _wavs(root / word)
        splits = [listed.get(f"{word}/{path.name}", "train") if listed else speech_commands_split(path)
                  for path in paths]
        for split, items in chosen.items():
            mine = [path for path, its in zip(paths, splits, strict=True) if its == split]
            keep = sorted(rng.permutation(len(mine))[:max_per_word]) if max_per_word else range(len(mine))
            items += [(mine[i], word) for i in keep]
    return {split: _stack([read_wav(path, SAMPLE_RATE) for path, _ in items], [word for _, word in items],
                          [path.name.partition("_nohash_")[0] for path, _ in items], int(seconds * SAMPLE_RATE))
            for split, items in chosen.items()}


def load_fsdd(folder: str | Path) -> SpeechSet:
    """The Free Spoken Digit Dataset (``recordings/{digit}_{speaker}_{index}.wav``, 8 kHz), resampled to 16 kHz."""
    root = _find_root(Path(folder), lambda p: p.name == "recordings" and bool(_wavs(p)))
    names = [m for p in _wavs(root) if (m := re.fullmatch(r"(?P<digit>\d)_(?P<speaker>[a-z]+)_\d+\.wav", p.name))]
    if not names:
        raise FileNotFoundError(f"{root} holds no files named like 7_jackson_32.wav")
    return _stack([resample(read_wav(root / m[0], 8_000), 8_000, SAMPLE_RATE) for m in names],
                  [m["digit"] for m in names], [m["speaker"] for m in names])


def concatenate_digits(recordings: SpeechSet, count: int, seed: int, digits: tuple[int, int] = (3, 6),
                       speakers: Sequence[str] | None = None) -> SpeechSet:
    """``count`` digit strings, each joined from one speaker's single-digit recordings, silences trimmed."""
    pool = np.flatnonzero(np.isin(recordings.speakers, recordings.speakers if speakers is None else list(speakers)))
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
