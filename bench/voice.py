"""Voice mode: recognition accuracy, verdict agreement, decoding speed and delivery figures.

Every caller line in ``bench/data/voice_lines.yaml`` is synthesised with espeak-ng (two
voices, four speeds; nothing is written to disk) and recognised three ways: with the call's
own language model alone, with pocketsphinx's general US-English model alone, and as the
call uses it (tuned, general as fallback, then ``steady``). Reported:

- word error rate, tuned vs general;
- verdict agreement: the line's kinds as the rehearsal reads them (decision, waver,
  thanks...) are the same for the recognised text as for the true text;
- decoding time as a ratio to the audio's length (as used; target <= 0.5x): the process's
  CPU time, since wall time on a shared machine also measures the neighbours (shown beside);
- delivery figures on answers built from known pieces (speech of measured length, silences
  of known length, known words): speaking-time error, long pauses found, word-count error.

    nice python -m bench.voice           # the table (about two minutes on 2 cores)
    nice python -m bench.voice -v        # plus every line: truth, heard, kinds

Needs the ``voice`` extra and espeak-ng; without them it reports nothing and says why.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data" / "voice_lines.yaml"


def wer_counts(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edit distance in words, reference length)."""
    d = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(hyp) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (ref[i - 1] != hyp[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(hyp)], len(ref)


def unavailable() -> str:
    from bot import voice

    parts = voice.missing(speak=True, microphone=False)
    return f"voice benchmark skipped: missing {', '.join(parts)}" if parts else ""


def setup() -> tuple[Any, Any, dict[str, Any]]:
    from bot.rehearsal import Rehearsal
    from bot.voice.call import build_recogniser

    spec = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    r = Rehearsal("gracious", "normal", 0, dict(spec["context"]))
    return r, build_recogniser(r), spec


def recognition(verbose: bool = False) -> dict[str, Any]:
    from bot.voice.content import default_voice
    from bot.voice.lm import words_of
    from bot.voice.speech import synthesise
    from bot.voice.steady import reader_for, steady

    r, rec, spec = setup()
    content = default_voice()
    read = reader_for(r)
    assert read is not None, "the rehearsal no longer exposes how it reads a line"
    voices = spec["voices"]
    totals = {k: [0, 0] for k in ("tuned", "general", "used")}
    agree = {k: 0 for k in ("tuned", "general", "used", "used-unsteadied")}
    audio = decode = decode_cpu = 0.0
    fallbacks = 0
    lines = spec["lines"]
    for i, truth in enumerate(lines):
        v = voices[i % len(voices)]
        clip = synthesise(truth, voice=v["voice"], wpm=int(v["wpm"]))
        ref = words_of(truth)
        want = read(" ".join(ref))
        got: dict[str, str] = {}
        for model in ("tuned", "general"):
            h = rec.recognise(clip, model=model)
            got[model] = h.text
        cpu, wall = time.process_time(), time.perf_counter()
        h = rec.recognise(clip)
        rec.spot(clip)  # the call spots fillers in every answer too
        decode_cpu += time.process_time() - cpu
        audio += h.seconds
        decode += time.perf_counter() - wall
        fallbacks += h.model == "general"
        st = steady(h, read, below=content.uncertain_below, doubt=content.doubt_kinds)
        got["used"] = st.text
        for k in ("tuned", "general", "used"):
            e, n = wer_counts(ref, got[k].split())
            totals[k][0] += e
            totals[k][1] += n
            agree[k] += read(got[k]) == want
        agree["used-unsteadied"] += read(h.text) == want
        if verbose:
            print(f"[{v['voice']} {v['wpm']}] {truth}\n   kinds {sorted(want)}")
            for k in ("tuned", "general", "used"):
                print(f"   {k:8} {got[k]!r} {sorted(read(got[k]))}")
    n = len(lines)
    return {
        "lines": n,
        "wer": {k: e / max(1, m) for k, (e, m) in totals.items()},
        "agreement": {k: a / n for k, a in agree.items()},
        "realtime": decode / audio if audio else 0.0,
        "realtime_cpu": decode_cpu / audio if audio else 0.0,
        "fallbacks": fallbacks / n,
        "recogniser": rec,
    }


def delivery_check(rec: Any) -> dict[str, float]:
    """Answers made of two synthesised sentences with a known silence between them."""
    from bot.voice import audio as au
    from bot.voice.content import default_voice
    from bot.voice.delivery import measure
    from bot.voice.lm import words_of
    from bot.voice.speech import synthesise

    content = default_voice()
    gap = float(content.delivery.get("long-pause-seconds", 2.0))
    pairs = [
        ("Thank you so much for the offer.", "I have decided not to accept it.", gap + 0.8),
        ("I hope we can stay in touch.", "Take care, goodbye.", gap + 1.5),
        ("My decision is final.", "But thank you for asking.", 0.4),
        ("I accepted another position.", "It fits my plans better.", gap + 1.0),
    ]
    time_err = count_err = 0.0
    found = expected = false_pauses = 0
    for a, b, pause in pairs:
        ca, cb = synthesise(a, voice="en-us+f2", wpm=150).at(), synthesise(b, voice="en-us+f2", wpm=150).at()
        sa, sb = au.speech_span(ca), au.speech_span(cb)
        clip = au.join([au.silence(0.5), ca, au.silence(pause), cb, au.silence(0.5)])
        # known: first sound of a to last sound of b, and the silence between a's last sound and b's first
        known = (ca.seconds - sa[0]) + pause + sb[1]
        silent = (ca.seconds - sa[1]) + pause + sb[0]
        heard = rec.recognise(clip)
        d = measure([heard], 0.0, content)
        time_err += abs(d.speaking_seconds - known) / known
        n_words = len(words_of(a)) + len(words_of(b))
        count_err += abs(d.words - n_words) / n_words
        if silent >= gap:
            expected += 1
            found += any(abs(p - silent) < 0.5 for p in d.long_pauses)
        else:
            false_pauses += len(d.long_pauses)
    n = len(pairs)
    return {
        "speaking_time_error": time_err / n,
        "word_count_error": count_err / n,
        "pauses_found": found / max(1, expected),
        "false_pauses": float(false_pauses),
    }


def filler_check(rec: Any, verbose: bool = False) -> dict[str, float]:
    """Filler sounds found (keyword spotting plus the words heard) on lines with known counts."""
    from bot.voice.content import default_voice
    from bot.voice.delivery import measure
    from bot.voice.speech import synthesise

    content = default_voice()
    spec = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    v = spec["voices"][0]
    want = got = extra = 0
    for item in spec["fillers"]:
        clip = synthesise(item["text"], voice=v["voice"], wpm=int(v["wpm"]))
        heard = rec.recognise(clip)
        spotted = [w.text for w in rec.spot(clip)]
        found = sum(n for w, n in measure([heard], 0.0, content, [spotted]).fillers.items() if w in ("um", "hmm"))
        want += int(item["count"])
        got += min(found, int(item["count"]))
        extra += max(0, found - int(item["count"]))
        if verbose:
            print(f"fillers: {item['text']!r} want {item['count']} found {found} ({heard.text!r}, spotted {spotted})")
    return {"recall": got / max(1, want), "false": float(extra)}


def run(verbose: bool = False) -> list[dict[str, Any]]:
    why = unavailable()
    if why:
        print(why, file=sys.stderr)
        return []
    began = time.perf_counter()
    res = recognition(verbose)
    dl = delivery_check(res["recogniser"])
    fl = filler_check(res["recogniser"], verbose)
    n = res["lines"]
    rows = [
        {"name": f"voice WER, call's language model ({n} synthesised lines)", "value": res["wer"]["tuned"],
         "target": None, "lower_is_better": True},
        {"name": "voice WER, general model (same lines)", "value": res["wer"]["general"], "target": None,
         "lower_is_better": True},
        {"name": "voice WER as used (tuned, general fallback, steadied)", "value": res["wer"]["used"],
         "target": None, "lower_is_better": True},
        {"name": "voice verdict agreement, as used", "value": res["agreement"]["used"], "target": 0.80},
        {"name": "voice verdict agreement, as used without steadying", "value": res["agreement"]["used-unsteadied"],
         "target": None},
        {"name": "voice verdict agreement, call's model alone", "value": res["agreement"]["tuned"], "target": None},
        {"name": "voice verdict agreement, general model alone", "value": res["agreement"]["general"],
         "target": None},
        {"name": "voice decoding CPU time vs audio length (as used)", "value": res["realtime_cpu"], "target": 0.5,
         "lower_is_better": True},
        {"name": "voice decoding wall time vs audio length (shared machine)", "value": res["realtime"],
         "target": None, "lower_is_better": True},
        {"name": "voice lines decoded again with the general model", "value": res["fallbacks"], "target": None},
        {"name": "voice delivery: speaking-time error vs known", "value": dl["speaking_time_error"], "target": 0.1,
         "lower_is_better": True},
        {"name": "voice delivery: word-count error vs known", "value": dl["word_count_error"], "target": 0.15,
         "lower_is_better": True},
        {"name": "voice delivery: known long pauses found", "value": dl["pauses_found"], "target": 1.0},
        {"name": "voice delivery: pauses found where there were none", "value": dl["false_pauses"], "target": 0,
         "lower_is_better": True},
        {"name": "voice fillers found ('um', 'hmm'; 8 lines)", "value": fl["recall"], "target": None},
        {"name": "voice fillers found where there were none", "value": fl["false"], "target": None,
         "lower_is_better": True},
    ]
    if verbose:
        print(f"({time.perf_counter() - began:.0f} s)")
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows = run(verbose="-v" in argv)
    if not rows:
        return 0
    from bench.__main__ import fmt

    width = max(len(r["name"]) for r in rows)
    for r in rows:
        value, target, mark = fmt(r)
        if "WER" in r["name"] or "error" in r["name"]:  # rates, not speeds: shown as percentages
            value = f"{float(r['value']):.1%}"
            target = f"<= {float(r['target']):.0%}" if r.get("target") is not None else ""
        elif "none" in r["name"]:
            value = f"{float(r['value']):.0f}"
            target = f"<= {r['target']}" if r.get("target") is not None else ""
        print(f"{r['name'].ljust(width)}  {value:>8}  {target:>8}  {mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
