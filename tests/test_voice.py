"""Voice mode (issue 15): the call's language model, delivery figures, misheard words, and
whole calls run from WAV files through the real `decline-coach rehearse --audio-in`.

The parts that need no speech packages always run. The rest need the `voice` extra and
espeak-ng (`make voice-deps`) and skip with that reason otherwise; CI installs them.
Answers are synthesised into the test's temporary folder at run time.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import voice
from bot.rehearsal import Rehearsal
from bot.voice.content import load_voice
from bot.voice.delivery import feedback, measure
from bot.voice.lm import arpabet, build_arpa, call_corpus, spell_pattern, words_of
from bot.voice.recognise import Heard, Word
from bot.voice.steady import reader_for, steady

ROOT = Path(__file__).resolve().parent.parent
MISSING = voice.missing(speak=True, microphone=False)
needs_voice = pytest.mark.skipif(
    bool(MISSING), reason=f"voice mode needs {', '.join(MISSING)} (run `make voice-deps`)"
)
CONTEXT = {"name": "Sam Taylor", "company": "Northwind", "role": "Product Analyst", "manager": "Dana Rivera"}


# -- the language model ---------------------------------------------------------------------------


def test_cue_patterns_are_spelled_out_as_phrases() -> None:
    got = spell_pattern(r"\bturn(ing|ed)? (it|this) down\b")
    assert {"turn it down", "turning it down", "turned this down"} <= set(got)
    assert "i'm staying at" in spell_pattern(r"\b(i.?m|i am) (staying|remaining) (at|with)\b")
    assert spell_pattern(r"\bnothing (you|that)\b[^.?!,]{0,30}\b(change|make)\b")  # open gap: still phrases


def test_arpa_model_is_normalised() -> None:
    corpus = [words_of(s) for s in ("thank you for the offer", "thank you so much", "i decline the offer")]
    text = build_arpa(corpus, ["dana"])
    probs: dict[tuple[str, ...], float] = {}
    backoff: dict[tuple[str, ...], float] = {}
    section = 0
    for line in text.splitlines():
        if line.startswith("\\") and "-grams" in line:
            section = int(line[1])
            continue
        parts = line.split("\t")
        if section and len(parts) >= 2:
            gram = tuple(parts[1].split())
            probs[gram] = 10 ** float(parts[0])
            if len(parts) == 3:
                backoff[gram] = 10 ** float(parts[2])
    vocab = [g[0] for g in probs if len(g) == 1 and g[0] != "<s>"]
    assert "dana" in vocab  # an unused word of the case is still recognisable

    def p(gram: tuple[str, ...]) -> float:
        if gram in probs:
            return probs[gram]
        return backoff.get(gram[:-1], 1.0) * p(gram[1:])

    for history in [(), ("thank",), ("thank", "you"), ("the",), ("<s>", "i")]:
        assert math.isclose(sum(p((*history, w)) for w in vocab), 1.0, abs_tol=1e-3), history


def test_call_corpus_holds_the_cues_the_personas_and_the_case() -> None:
    r = Rehearsal("gracious", "normal", 0, CONTEXT)
    corpus = call_corpus(r.book.raw, ["Thanks for calling"], ["Dana Rivera"])
    sentences = {" ".join(s) for s in corpus}
    assert "i have decided not to accept the offer" in sentences  # a rehearsal example
    assert "decided not to" in sentences  # a cue, spelled out
    assert "dana rivera" in sentences and "thanks for calling" in sentences


def test_espeak_phonemes_become_arpabet() -> None:
    assert arpabet("n'O@TwInd") == "N AO R TH W IH N D"
    assert arpabet("d'eIn3") == "D EY N ER"


# -- delivery -----------------------------------------------------------------------------------


def _heard(spec: list[tuple[str, float, float]], conf: float = 0.9) -> Heard:
    words = tuple(Word(t, a, b, conf) for t, a, b in spec)
    return Heard(" ".join(w.text for w in words), words, seconds=words[-1].end + 0.5)


def test_delivery_figures_from_word_times() -> None:
    content = load_voice()
    # 10 words over 3.95 s, a silence, then "um" and 2 words ending at 8 s: 12 words in 8 s.
    said = "thank you so much for the offer dana really thanks".split()
    first = [(w, i * 0.4, i * 0.4 + 0.35) for i, w in enumerate(said)]
    second = [("um", 7.0, 7.3), ("so", 7.4, 7.6), ("no", 7.7, 8.0)]
    d = measure([_heard(first + second)], manager_seconds=8.0, content=content)
    assert d.words == 12  # "um" is a filler, not a word
    assert d.speaking_seconds == pytest.approx(8.0)
    assert d.wpm == pytest.approx(90.0)
    assert [round(p, 2) for p in d.long_pauses] == [3.05]  # the last word ends at 3.95 s, "um" starts at 7.0
    assert d.fillers["um"] == 1
    assert d.share == pytest.approx(0.5)
    card = feedback(d, content)
    by = {line.check: line for line in card.lines}
    assert not by["Speaking rate"].ok and "90 words a minute" in by["Speaking rate"].note
    assert "120-170" in by["Speaking rate"].note  # the plain target is said
    assert by["Share of talk time"].ok and "50%" in by["Share of talk time"].note


def test_like_and_you_know_count_only_as_fillers() -> None:
    content = load_voice()
    filler = _heard([(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate("so like i you know decided".split())])
    verb = _heard([(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate("i would like to stay in touch".split())])
    assert sum(measure([filler], 0.0, content).fillers.values()) == 2
    assert sum(measure([verb], 0.0, content).fillers.values()) == 0


# -- one misheard word --------------------------------------------------------------------------


MISHEARD = "i'd rather not sure the details"
SHARE = "i'd rather not share the details"


def _misheard(sure_conf: float, alternatives: tuple[tuple[str, float], ...]) -> Heard:
    words = tuple(
        Word(t, i * 0.3, i * 0.3 + 0.25, sure_conf if t == "sure" else 0.95)
        for i, t in enumerate(MISHEARD.split())
    )
    return Heard(MISHEARD, words, alternatives=alternatives)


def test_a_costly_reading_resting_on_one_unsure_word_is_not_taken() -> None:
    r = Rehearsal("gracious", "normal", 0, CONTEXT)
    read = reader_for(r)
    assert read is not None
    content = load_voice()
    rules = {"below": content.uncertain_below, "doubt": content.doubt_kinds}
    assert "waver" in read(MISHEARD)  # what one misheard word would do
    split = ((MISHEARD, 0.4), (SHARE, 0.35), ("i'd rather not share details", 0.25))
    st = steady(_misheard(0.2, split), read, **rules)
    assert st.changed and st.text == SHARE
    assert st.doubted == ("waver",)
    # Heard clearly, it stands; and so it does when most hypotheses hear it the same way.
    assert steady(_misheard(0.9, split), read, **rules).text == MISHEARD
    backed = ((MISHEARD, 0.5), (SHARE, 0.3), ("i'd rather not sure of the details", 0.2))
    assert steady(_misheard(0.2, backed), read, **rules).text == MISHEARD


# -- the command --------------------------------------------------------------------------------


def _rehearse(home: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DECLINE_COACH_HOME": str(home)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", *args],
        input="", capture_output=True, text=True, env=env, timeout=300, cwd=str(home.parent),
    )


def test_voice_without_its_parts_says_what_to_install(tmp_path: Path) -> None:
    # A PATH without espeak-ng: whatever else is installed, that part is missing.
    out = _rehearse(tmp_path / "home", "--voice", path=str(Path(sys.executable).parent))
    assert out.returncode == 2
    # Named whatever else is missing too (without the extra, the Python packages come first).
    assert "Voice mode needs" in out.stderr and "espeak-ng" in out.stderr.split("Install")[0]
    assert "apt-get install espeak-ng" in out.stderr or "espeak-ng from your system's packages" in out.stderr
    assert "leave out --voice" in out.stderr
    typed = _rehearse(tmp_path / "home", "--plain", "--manager", "Dana Rivera", path=str(Path(sys.executable).parent))
    assert typed.returncode == 0 and "Dana Rivera:" in typed.stdout  # the typed call still works


def _say(folder: Path, lines: list[str], voice_name: str = "en-us+f2", wpm: int = 150) -> list[str]:
    from bot.voice.audio import write_wav
    from bot.voice.speech import synthesise

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, line in enumerate(lines):
        path = folder / f"answer-{i + 1}.wav"
        write_wav(path, synthesise(line, voice=voice_name, wpm=wpm))
        paths.append(str(path))
    return paths


@needs_voice
def test_whole_call_from_wav_files(tmp_path: Path) -> None:
    answers = _say(tmp_path / "answers", [
        "Thank you so much for the offer, Dana.",
        "I have decided not to accept it. I accepted another position.",
        "I hope we can stay in touch. Goodbye.",
    ])
    home = tmp_path / "home"
    out = _rehearse(home, "--json", "--audio-in", *answers, "--audio-out", str(tmp_path / "manager"),
                    *[f"--{k}={v}" for k, v in CONTEXT.items()])
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    card = {c["check"]: c["ok"] for c in doc["scorecard"]}
    assert card["gratitude"] and card["decision-stated"] and card["goodwill-close"]
    assert card["no-oversharing"]
    heard = doc["voice"]["heard"]
    assert len(heard) == 3 and "dana" in heard[0]["heard"].split()  # the manager's name, recognised
    said = [t["text"] for t in doc["transcript"] if t["speaker"] == "user"]
    assert said == [h["said"] for h in heard]  # the heard text is what the call was played with
    delivery = doc["voice"]["delivery"]
    assert delivery["words"] >= 20 and 100 < delivery["words_per_minute"] < 220
    assert 0 < delivery["share_of_talk"] < 1
    assert [c["check"] for c in doc["voice"]["delivery_scorecard"]] == [
        "Speaking rate", "Long pauses", "Longest stretch in one go", "Share of talk time", "Filler words"]
    # Private: the manager's lines were asked for; nothing else was written anywhere.
    manager = sorted(p.name for p in (tmp_path / "manager").iterdir())
    assert manager and all(n.startswith("manager-") and n.endswith(".wav") for n in manager)
    written = {p for p in tmp_path.rglob("*.wav")} - {Path(a) for a in answers}
    assert all(p.parent == tmp_path / "manager" for p in written)


@needs_voice
def test_wavering_out_loud_costs_the_held_firm_check(tmp_path: Path) -> None:
    answers = _say(tmp_path / "answers", [
        "Thank you for the offer. I have decided not to accept it.",
        "Maybe if the salary were higher I could reconsider.",
    ])
    out = _rehearse(tmp_path / "home", "--json", "--persona", "persuasive", "--seed", "1", "--audio-in", *answers)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    card = {c["check"]: c["ok"] for c in doc["scorecard"]}
    assert card["gratitude"] is True
    assert card["held-firm"] is False
    assert not (tmp_path / "home").exists() or not list((tmp_path / "home").rglob("*.wav"))


@needs_voice
def test_plain_output_shows_what_was_heard(tmp_path: Path) -> None:
    answers = _say(tmp_path / "answers", ["Thank you, but my decision is final."])
    out = _rehearse(tmp_path / "home", "--audio-in", *answers)
    assert out.returncode == 0, out.stderr
    assert "Heard: " in out.stdout and "How you sounded" in out.stdout
    assert "words a minute" in out.stdout


@needs_voice
def test_microphone_endpointing_keeps_one_answer() -> None:
    """What `--voice` does with the microphone's stream, fed a stream built from speech."""
    from bot.voice.audio import endpoint, join, silence
    from bot.voice.call import build_recogniser
    from bot.voice.speech import synthesise

    first = synthesise("I have decided not to accept the offer.", voice="en-us+f2").at()
    second = synthesise("Please keep me in mind for future roles.", voice="en-us+f2").at()
    stream = join([silence(1.0), first, silence(2.5), second, silence(1.0)])
    got = endpoint(stream.pcm[i : i + 1000] for i in range(0, len(stream.pcm), 1000))
    assert first.seconds * 0.7 < got.seconds < first.seconds + 1.5  # one answer, not both
    heard = build_recogniser(Rehearsal("gracious", "normal", 0, CONTEXT)).recognise(got)
    assert {"decided", "offer"} <= set(heard.text.split())
    assert "future" not in heard.text.split()


@needs_voice
def test_words_arrive_while_the_answer_is_still_being_spoken() -> None:
    """The app's call screen shows the words as they are decoded: fed the microphone's stream
    piece by piece, the partial text grows before the answer ends, and the whole answer is
    then decoded again as one."""
    from bot.voice.audio import endpoint, join, silence
    from bot.voice.call import build_recogniser
    from bot.voice.speech import synthesise

    rec = build_recogniser(Rehearsal("gracious", "normal", 0, CONTEXT))
    said = synthesise("Thank you for the offer. I have decided not to accept it.", voice="en-us+f2").at()
    stream = join([silence(0.5), said, silence(2.0)])
    partials: list[str] = []
    partial = rec.stream(partials.append)
    got = endpoint((stream.pcm[i : i + 960] for i in range(0, len(stream.pcm), 960)), on_speech=partial.feed)
    partial.close()
    assert len(partials) >= 2  # more than one update while speaking
    assert len(partials[0].split()) < len(partials[-1].split())
    heard = rec.recognise(got)  # the decoder is free again after close()
    assert {"decided", "offer"} <= set(heard.text.split())
    assert {"decided", "offer"} & set(partials[-1].split()), partials  # the guess got there too


@needs_voice
def test_typing_at_the_voice_prompt_plays_the_typed_call(tmp_path: Path) -> None:
    """`--voice` with lines typed instead of spoken: the same call, same scorecard."""
    if voice.missing(speak=True, microphone=True):
        pytest.skip(f"the microphone path needs {', '.join(voice.missing())}")
    lines = "Thank you for the offer. I have decided not to accept it.\nI hope we stay in touch. Bye!\n"
    env = {**os.environ, "DECLINE_COACH_HOME": str(tmp_path / "home")}
    spoken = subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", "--voice", "--seed", "3"],
        input=lines, capture_output=True, text=True, env=env, timeout=300,
    )
    typed = subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", "--plain", "--seed", "3"],
        input=lines, capture_output=True, text=True, env=env, timeout=300,
    )
    assert spoken.returncode == 0, spoken.stderr
    card = [ln for ln in spoken.stdout.splitlines() if ln.strip().startswith(("done:", "to do:"))]
    typed_card = [ln for ln in typed.stdout.splitlines() if ln.strip().startswith(("done:", "to do:"))]
    assert len(card) == len(typed_card) == 7  # the decline plan's seven checks
    assert card == typed_card  # the call's verdicts are the typed call's
    assert "How you sounded" not in spoken.stdout  # nothing was spoken, so no delivery card


def test_make_bench_says_the_voice_benchmark_was_skipped_without_its_parts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.__main__ import MODULES, main

    assert "bench.voice" in MODULES  # `make bench` runs it where the voice extra is present
    monkeypatch.setattr(voice, "missing", lambda **_: ["espeak-ng"])
    assert main(["--only", "voice"]) == 0
    out = capsys.readouterr()
    row = [ln for ln in out.out.splitlines() if ln.startswith("bench.voice")]
    assert row and "skipped" in row[0] and "espeak-ng" in row[0]
