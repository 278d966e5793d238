"""Generated sequence tasks whose difficulty you control: :func:`remember_first_task` (``06_long_range_memory``),
:func:`negation_sentiment` and the :func:`date_pairs` translator (``07_text``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np


def check_count(name: str, value: int, minimum: int) -> int:
    """``value`` as an int after checking it is an integer (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def remember_first_task(n: int, lag: int, noise: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Remember the sign of the first value of a noisy sequence of length ``lag``.

    Channel 0 holds ``+1`` or ``-1`` at step 0, then Gaussian noise (sd ``noise``) on the *same* channel; channel 1
    marks step 0. The label is 1 when the first value is positive: a network must store step 0 and *ignore*
    ``lag - 1`` inputs that look just like it (a job for a gate). Returns ``x`` float32 (n, lag, 2), ``y`` int64 (n,).
    """
    n, lag = check_count("n", n, 1), check_count("lag", lag, 1)
    if not (isinstance(noise, (int, float)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    x = np.zeros((n, lag, 2), dtype="float32")
    x[:, 1:, 0] = rng.normal(0.0, noise, size=(n, lag - 1))
    x[:, 0, 0] = 2 * labels - 1
    x[:, 0, 1] = 1.0
    return x, labels.astype("int64")


POSITIVE_WORDS = ("good", "great", "fun", "clever", "moving", "funny", "brilliant", "charming")
NEGATIVE_WORDS = ("bad", "boring", "dull", "slow", "silly", "awful", "messy", "predictable")
NEGATORS = ("not", "never", "hardly")
FILLERS = ("really", "so", "very", "truly", "at all", "honestly", "frankly", "overall", "simply", "i think",
           "in the end", "to be fair")  # neutral: any number may stand before a sentiment word
_SUBJECTS = ("the film", "the movie", "the plot", "the acting", "the story", "the ending", "the cast", "the script")
_VERBS = ("was", "is", "felt", "seemed")
_JOINERS = ("and", "but also", "and yet", "and quite")


def negation_sentiment(n: int, seed: int = 0, max_gap: int = 4,
                       plain_fraction: float = 0.0) -> tuple[list[str], np.ndarray]:
    """Short reviews whose sentiment (1 positive, 0 negative) only an order-aware reader can tell.

    Every review holds one positive word, one negative word and one negator, each sentiment word preceded by
    0 to ``max_gap`` :data:`FILLERS`. The negator flips the first sentiment word after it, so both clauses
    agree: "the plot was not really clever and dull" is negative, "the plot was clever and not really dull"
    positive. Both labels share one bag of words, and the fillers defeat short n-grams.
    ``plain_fraction`` of the reviews are plain instead ("the plot was clever"): one word gives their label.
    """
    n, max_gap = check_count("n", n, 1), check_count("max_gap", max_gap, 0)
    if not 0.0 <= plain_fraction <= 1.0:
        raise ValueError(f"plain_fraction must be between 0 and 1, got {plain_fraction}")
    rng = np.random.default_rng(seed)

    def fillers() -> list[str]:
        return [str(word) for word in rng.choice(FILLERS, size=int(rng.integers(0, max_gap + 1)))]

    texts, labels = [], []
    for _ in range(n):
        words = [str(rng.choice(_SUBJECTS)), str(rng.choice(_VERBS))]
        positive, negative = str(rng.choice(POSITIVE_WORDS)), str(rng.choice(NEGATIVE_WORDS))
        if rng.random() < plain_fraction:
            label = int(rng.integers(0, 2))
            words += [*fillers(), positive if label else negative]
        else:
            negate_positive = bool(rng.integers(0, 2))
            first, second = (positive, negative) if rng.integers(0, 2) else (negative, positive)
            negated = positive if negate_positive else negative
            for position, word in enumerate((first, second)):
                if position:
                    words.append(str(rng.choice(_JOINERS)))
                if word == negated:
                    words.append(str(rng.choice(NEGATORS)))
                words += [*fillers(), word]
            label = 0 if negate_positive else 1
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.asarray(labels, dtype="int64")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
DATE_FORMATS = ("{month} {day}, {year}", "{day} {month} {year}", "{mon} {day} {year}", "{d2}/{m2}/{year}",
                "{day}.{m}.{year}", "{weekday}, {mon} {day}, {year}")  # no {m2}/{d2}: every source is unambiguous


def format_date(date: dt.date, template: str) -> str:
    """Write ``date`` with one of :data:`DATE_FORMATS`."""
    month = _MONTHS[date.month - 1]
    return template.format(month=month, mon=month[:3], day=date.day, d2=f"{date.day:02d}", m=date.month,
                           m2=f"{date.month:02d}", year=date.year, weekday=date.strftime("%a"))


def date_pairs(n: int, seed: int = 0, first_year: int = 1950, last_year: int = 2049) -> tuple[list[str], list[str]]:
    """``n`` (human date, ISO date) pairs, e.g. ``("March 5, 2021", "2021-03-05")``, uniformly from the years given."""
    n = check_count("n", n, 1)
    if not 1 <= first_year <= last_year <= 9999:
        raise ValueError(f"need 1 <= first_year <= last_year <= 9999, got {first_year}..{last_year}")
    rng = np.random.default_rng(seed)
    start = dt.date(first_year, 1, 1).toordinal()
    span = dt.date(last_year, 12, 31).toordinal() - start + 1
    dates = [dt.date.fromordinal(start + int(offset)) for offset in rng.integers(0, span, size=n)]
    templates = rng.choice(DATE_FORMATS, size=n)
    return [format_date(d, str(t)) for d, t in zip(dates, templates, strict=True)], [d.isoformat() for d in dates]

