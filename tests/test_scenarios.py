"""Scenario recognition, advice and the FAQ (bot/scenarios.py, scenarios.yaml, faq.yaml)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content import Content, load_content
from bot.events import Advice
from bot.render import Renderer
from bot.scenarios import ScenarioLibrary, advise, check_content
from bot.yamlfile import ContentError

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "bench" / "data" / "scenarios_dev.tsv"
CLINC = ROOT.parent / "shared" / "data" / "clinc150" / "train.tsv"
REQUIRED = {
    "reopened-offer",
    "ghosted",
    "emotional-reaction",
    "counteroffer",
    "negotiate-first",
    "waiting-on-other-offer",
    "change-of-mind",
    "renege",
    "decline-interview",
    "global-move",
    "recruiter",
    "asked-why",
    "multiple-interviewers",
    "stay-in-touch",
    "phone-nerves",
}


@pytest.fixture(scope="module")
def lib() -> ScenarioLibrary:
    return ScenarioLibrary.load(load_content())


def _dev() -> list[tuple[str, str]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        label, text = line.split("\t", 1)
        rows.append((label, text))
    return rows


def test_every_required_scenario_is_a_full_card(lib: ScenarioLibrary) -> None:
    assert set(lib.scenarios) >= REQUIRED
    for s in lib.scenarios.values():
        assert 25 <= len(s.examples) <= 45, s.id
        assert s.title and s.intro and s.advice and s.next_steps, s.id
        assert s.questions, f"{s.id} has no tailoring question"


def test_dev_set_has_eight_per_scenario_and_none_copied_into_examples(lib: ScenarioLibrary) -> None:
    rows = _dev()
    for sid in REQUIRED:
        assert sum(1 for label, _ in rows if label == sid) >= 8, sid
    examples = {lib.norm.normalise(e) for s in lib.scenarios.values() for e in s.examples}
    copied = [text for _, text in rows if lib.norm.normalise(text) in examples]
    assert not copied


def test_dev_set_top1_accuracy(lib: ScenarioLibrary) -> None:
    rows = _dev()
    right = sum(1 for label, text in rows if lib.detect(text).scenario == label)
    assert right / len(rows) >= 0.85


@pytest.mark.skipif(not CLINC.is_file(), reason="needs ../shared/data/clinc150")
def test_off_topic_requests_get_no_scenario(lib: ScenarioLibrary) -> None:
    lines = CLINC.read_text(encoding="utf-8").splitlines()[::15]  # a spread of all 150 intents
    texts = [line.split("\t", 1)[1] for line in lines]
    rejected = sum(1 for t in texts if lib.detect(t).scenario is None)
    assert rejected / len(texts) >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "thanks for that",
        "what is the weather like in paris",
        "set an alarm for 7 am",
        "",
        "   ",
        "my card was declined at the store",
        "no",
        "book a table for two tonight",
    ],
)
def test_everyday_text_is_null(lib: ScenarioLibrary, text: str) -> None:
    assert lib.detect(text).scenario is None


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("I said no and they came back with a higher salary", "reopened-offer"),
        ("I never replied to the offer and it has been a month", "ghosted"),
        ("my current employer matched the offer so I am staying", "counteroffer"),
        ("I signed the contract but now I want to withdraw", "renege"),
        ("they will not sponsor my visa for the move abroad", "global-move"),
    ],
)
def test_clear_descriptions_and_their_explanation(
    lib: ScenarioLibrary, text: str, scenario: str
) -> None:
    det = lib.detect(text)
    assert det.scenario == scenario
    assert det.explain["reason"] in ("fuzzy", "ambiguous")
    assert det.explain["example"]
    assert det.score >= lib.config.threshold
    data = det.to_dict()
    assert data["scenario"] == scenario and data["alternatives"]


def test_two_close_scenarios_are_marked_ambiguous(lib: ScenarioLibrary) -> None:
    det = lib.detect("I am nervous about telling the recruiter")
    assert det.ambiguous
    assert set(det.candidates) == {"phone-nerves", "recruiter"}


def test_advice_is_tailored_by_slots(lib: ScenarioLibrary) -> None:
    plain = lib.advice("ghosted")
    assert isinstance(plain, Advice) and plain.scenario == "ghosted"
    months = lib.advice("ghosted", {"silent_for": "months"})
    assert len(months.points) == len(plain.points) + 1
    assert any("filled the role" in p for p in months.points)
    dated = lib.advice("waiting-on-other-offer", {"deadline": "2026-11-27"}, Renderer(None))
    assert any("Friday 27 November" in p for p in dated.points)
    with pytest.raises(KeyError):
        lib.advice("no-such-scenario")


def test_advise_answer_for_a_scenario_and_for_nothing(lib: ScenarioLibrary) -> None:
    hit = advise(lib, "my boss made me a counteroffer to stay")
    assert hit["scenario"] == "counteroffer"
    assert hit["advice"]["draft"] == "decline-counteroffer"
    assert hit["advice"]["points"] and hit["advice"]["next_steps"]
    miss = advise(lib, "what is the capital of france")
    assert miss["scenario"] is None and miss["advice"]["points"]
    faq = advise(lib, "will saying no burn the bridge with them")
    assert faq["scenario"] is None and faq["faq"] == "burn-bridges"


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("can I change my mind after I decline?", "change-mind"),
        ("do I have to give them a reason", "give-reason"),
        ("is it better to call or to email them", "call-or-email"),
        ("how do I decline while I'm still waiting on another offer", "decline-while-waiting"),
        ("will saying no burn the bridge with them", "burn-bridges"),
    ],
)
def test_faq_answers_free_text_questions(lib: ScenarioLibrary, question: str, faq_id: str) -> None:
    got = lib.answer(question)
    assert got is not None and got[0] == faq_id and len(got[1]) > 40


@pytest.mark.parametrize("text", ["what time is it in tokyo", "play some music", "thanks", ""])
def test_faq_stays_quiet_off_topic(lib: ScenarioLibrary, text: str) -> None:
    assert lib.answer(text) is None


def test_check_finds_no_problems_in_the_shipped_content(content: Content) -> None:
    assert check_content(content, Renderer(content.templates)) == []


def _copy_dialogues(tmp_path: Path) -> Path:
    target = tmp_path / "dialogues"
    shutil.copytree(ROOT / "dialogues", target)
    return target


def test_check_locates_a_bad_card(tmp_path: Path) -> None:
    d = _copy_dialogues(tmp_path)
    path = d / "scenarios.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("draft: late-reply", "draft: no-such-kind").replace(
        "questions: [signed]", "questions: [no_such_slot]"
    )
    path.write_text(text, encoding="utf-8")
    content = load_content(d, ROOT / "templates")
    messages = [p.message for p in check_content(content, Renderer(content.templates))]
    assert any("no draft kind 'no-such-kind'" in m for m in messages)
    assert any("unknown slot 'no_such_slot'" in m for m in messages)


def test_a_card_without_examples_is_a_content_error_with_its_line(tmp_path: Path) -> None:
    d = _copy_dialogues(tmp_path)
    path = d / "scenarios.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("  - id: ghosted")
    lines.insert(start + 1, "    unknown_key: 1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        ScenarioLibrary.load(load_content(d, ROOT / "templates"))
    assert err.value.path.endswith("scenarios.yaml")
    assert err.value.line == start + 2


# -- requests that are none of the situations (not_scenarios) -------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "can you help me ask for a pay rise at my work",
        "what shoes go with a suit for my interview tomorrow",
        "i need to write my resignation letter today",
        "can i negotiate my rent with the letting agent",
    ],
)
def test_a_job_adjacent_request_is_no_situation_and_says_which_line(lib: ScenarioLibrary, text: str) -> None:
    det = lib.detect(text)
    assert det.scenario is None
    assert det.explain["reason"] == "not-a-scenario"
    # The explanation points at the line that ruled it out, where it is written.
    name, _, line = det.explain["from"].partition(":")
    written = (ROOT / "dialogues" / name).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert det.explain["example"] in written
    assert advise(lib, text)["scenario"] is None


def test_not_scenarios_are_many_and_none_is_copied_from_the_benchmarks(lib: ScenarioLibrary) -> None:
    assert len(lib.not_scenarios) >= 150
    ours = {lib.norm.normalise(p) for p, _line in lib.not_scenarios}
    measured = set()
    for path in (ROOT / "bench" / "data").iterdir():
        if path.suffix in (".txt", ".tsv"):
            for row in path.read_text(encoding="utf-8").splitlines():
                measured.add(lib.norm.normalise(row.split("\t")[-1]))
    assert not ours & measured


def _with_scenarios_text(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    d = _copy_dialogues(tmp_path)
    path = d / "scenarios.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return d


@pytest.mark.parametrize(
    ("replacement", "offset", "message"),
    [
        ("not_scenarios:\n  pay: how do i ask for a raise\n", 0, "should be a list"),
        ("not_scenarios:\n  - how do i ask for a raise\n  - {pay: raise}\n", 2, "should be a phrase"),
        ('not_scenarios:\n  - how do i ask for a raise\n  - ""\n', 2, "an empty phrase"),
        ("not_scenario:\n  - how do i ask for a raise\n", 0, "unknown key 'not_scenario'"),
    ],
)
def test_a_broken_not_scenarios_block_is_a_content_error_with_its_line(
    tmp_path: Path, replacement: str, offset: int, message: str
) -> None:
    def edit(text: str) -> str:
        return text[: text.index("not_scenarios:\n")] + replacement

    d = _with_scenarios_text(tmp_path, edit)
    lines = (d / "scenarios.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index(replacement.splitlines()[0]) + 1
    with pytest.raises(ContentError) as err:
        ScenarioLibrary.load(load_content(d, ROOT / "templates"))
    assert err.value.path.endswith("scenarios.yaml")
    assert err.value.line == start + offset
    assert message in err.value.message
    content = load_content(d, ROOT / "templates")
    problems = check_content(content, Renderer(content.templates))
    assert [(p.line, message in p.message) for p in problems] == [(start + offset, True)]


def test_check_reports_not_scenarios_that_repeat_copy_a_card_or_take_its_example(tmp_path: Path) -> None:
    added = [
        "how can i get a pay rise at the company i work for now",  # already listed
        "i ghosted the company after they made me an offer",  # a ghosted example
        "i went silent on my landlord and need to get back to him",  # nearer than its card
    ]

    def edit(text: str) -> str:
        return text.replace("not_scenarios:\n", "not_scenarios:\n" + "".join(f"  - {a}\n" for a in added))

    d = _with_scenarios_text(tmp_path, edit)
    lines = (d / "scenarios.yaml").read_text(encoding="utf-8").splitlines()
    content = load_content(d, ROOT / "templates")
    problems = {(p.line, p.message) for p in check_content(content, Renderer(content.templates))}
    first = lines.index("not_scenarios:") + 1
    again = lines.index("  - how can i get a pay rise at the company i work for now", first + 1) + 1
    assert any(line == again and f"already on line {first + 1}" in m for line, m in problems)
    assert any(line == first + 2 and "is an example of scenario 'ghosted'" in m for line, m in problems)
    example = lines.index("      - i went silent on the hiring manager and need to get back to them") + 1
    assert any(line == example and "would be read as no situation" in m and "landlord" in m for line, m in problems)


def test_domain_words_count_as_job_offer_words(lib: ScenarioLibrary) -> None:
    text = "they shortlisted me but i would rather stop here, how do i put it"
    assert lib.detect(text).explain["domain"] is True
    # Without scenarios.yaml's domain_words, nothing in it says "job offer".
    plain = ScenarioLibrary(lib.scenarios, lib.faq, lib.norm, lib.domain_terms, config=lib.config)
    assert plain.detect(text).explain["domain"] is False


def test_domain_words_that_are_not_a_list_are_a_content_error_with_their_line(tmp_path: Path) -> None:
    d = _with_scenarios_text(tmp_path, lambda text: text.replace("domain_words: [", "domain_words: {oops: [", 1))
    path = d / "scenarios.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("domain_words:"))
    while not lines[end].endswith("]"):
        end += 1
    lines[end] += "}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        ScenarioLibrary.load(load_content(d, ROOT / "templates"))
    assert err.value.line == next(i for i, line in enumerate(lines, 1) if line.startswith("domain_words:"))
    assert "domain_words: should be a list" in err.value.message


# -- situations as people tell them (cues, stories, asking which) -------------------------------

REAL = ROOT / "bench" / "data" / "real_descriptions.tsv"


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        (
            "Three weeks ago I said yes to a data analyst role at a logistics firm and signed their "
            "paperwork. Since then a company I had applied to months ago finally called, I interviewed "
            "twice, and yesterday they offered me more money and a shorter commute. I would like to back "
            "out of the first one without wrecking my name in this town.",
            "renege",
        ),
        (
            "Last Friday I handed my notice to my manager because I had accepted a role at a bigger "
            "agency. This morning the director took me aside and said they would match the new salary "
            "and give me a team lead title if I stay. I honestly do not know what to do.",
            "counteroffer",
        ),
    ],
)
def test_a_story_with_several_facts_is_recognised_by_its_cues(lib: ScenarioLibrary, text: str, scenario: str) -> None:
    det = lib.detect(text)
    assert det.scenario == scenario and not det.ambiguous
    assert det.explain["cues"], "the facts the story tells are named in the explanation"
    assert det.score >= lib.config.threshold


def test_an_ordered_cue_needs_its_facts_in_order(lib: ScenarioLibrary) -> None:
    from bot.scenarios import _cue

    cue = _cue("declin* > came back", lib.norm, Path("scenarios.yaml"), 1, "test")
    assert cue.fires(lib.norm.normalise("I declined on Monday and they came back with more"))
    assert not cue.fires(lib.norm.normalise("they came back with more, so I declined again"))
    both = _cue("declin* + came back", lib.norm, Path("scenarios.yaml"), 1, "test")
    assert both.fires(lib.norm.normalise("they came back with more, so I declined again"))
    # A word stem matches its endings; a plain phrase only the whole word.
    assert _cue("regret*", lib.norm, Path("x"), 1, "t").fires("i regretted it")
    assert not _cue("regret", lib.norm, Path("x"), 1, "t").fires("i regretted it")


def test_a_cue_that_mixes_plus_and_order_is_a_content_error_with_its_line(tmp_path: Path) -> None:
    d = _with_scenarios_text(
        tmp_path, lambda text: text.replace("    cues:\n", '    cues:\n      - "declined + came back > more"\n', 1)
    )
    lines = (d / "scenarios.yaml").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContentError) as err:
        ScenarioLibrary.load(load_content(d, ROOT / "templates"))
    assert err.value.line == lines.index("    cues:") + 1
    assert "mixes '+' and '>'" in err.value.message


def test_advise_asks_which_when_two_situations_fit(lib: ScenarioLibrary) -> None:
    det = lib.detect("I am nervous about telling the recruiter")
    out = advise(lib, "I am nervous about telling the recruiter")
    assert out["ask"]["question"] == lib.messages["which"].strip()
    offered = [o["scenario"] for o in out["ask"]["options"]]
    assert offered == list(lib.options(det)) and set(offered) == {"phone-nerves", "recruiter"}
    assert [o["title"] for o in out["ask"]["options"]] == out["advice"]["points"]
    assert "draft" not in out["advice"], "a question, not a card"
    # A clear description gets its card and no question.
    assert "ask" not in advise(lib, "my boss made me a counteroffer to stay")


def test_a_work_question_that_is_no_situation_gets_a_kind_line_not_a_card(lib: ScenarioLibrary) -> None:
    work = advise(
        lib,
        "My coworker keeps taking credit for my work in meetings and my manager believes him. I have "
        "tried to raise it politely twice and nothing changed. How do I handle this without looking petty?",
    )
    assert work["scenario"] is None and "ask" not in work
    assert work["advice"]["title"] == lib.messages["other_job_title"]
    assert work["advice"]["points"] == [lib.message("advise_other_job")]
    everyday = advise(lib, "what is the capital of france")
    assert everyday["advice"]["title"] == lib.messages["unknown_title"]
    assert len(everyday["advice"]["points"]) == 1 + len(lib.scenarios)


def test_the_real_descriptions_benchmark_is_well_formed_and_not_in_the_content(lib: ScenarioLibrary) -> None:
    import hashlib

    from bench.scenarios import real_rows

    rows = real_rows(REAL)
    assert len(rows) >= 200
    assert sum(r.label == "none" for r in rows) >= 60
    for r in rows:
        assert r.label == "none" or r.label in lib.scenarios, r.label
        assert not r.also or r.also in lib.scenarios, r.also
        assert r.source.startswith("http")
        # The split is fixed by the text alone, as the file's header says.
        hashed = int(hashlib.sha256(r.text.encode("utf-8")).hexdigest()[:8], 16) % 100
        assert r.split == ("dev" if hashed < 60 else "test")
    written = {lib.norm.normalise(e) for s in lib.scenarios.values() for e in s.examples}
    written |= {lib.norm.normalise(p) for p, _line in lib.not_scenarios}
    assert not written & {lib.norm.normalise(r.text) for r in rows}


def test_real_descriptions_dev_split_meets_its_targets(lib: ScenarioLibrary) -> None:
    from bench.scenarios import real_figures, real_rows

    top1, _asked, rejected = real_figures(lib, real_rows(REAL), "dev")
    assert top1["value"] >= 0.85
    assert rejected["value"] >= 0.90


def test_a_cue_names_shared_facts_and_facts_a_story_never_tells() -> None:
    from bot.content import load_content as _load
    from bot.scenarios import _cue

    norm = _load().normaliser
    facts = {"accepted": "accepted|signed", "other": "another offer|better offer"}
    cue = _cue("@accepted > @other", norm, Path("scenarios.yaml"), 1, "test", facts)
    assert cue.fires(norm.normalise("I signed on Monday and on Friday a better offer came"))
    assert not cue.fires(norm.normalise("A better offer came, so I never signed"))
    quiet = _cue("went quiet + !offered me", norm, Path("x"), 1, "t", facts)
    assert quiet.fires(norm.normalise("after three interviews they went quiet"))
    assert not quiet.fires(norm.normalise("they offered me the job and then went quiet"))
    with pytest.raises(ContentError, match="unknown fact"):
        _cue("@nothing + offer", norm, Path("x"), 1, "t", facts)
    with pytest.raises(ContentError, match="only goes with"):
        _cue("offer > !accepted", norm, Path("x"), 1, "t", facts)


def test_a_story_the_coach_does_not_handle_is_told_by_its_facts(lib: ScenarioLibrary) -> None:
    taken_back = (
        "Two weeks after I signed the contract and handed in my notice, the company rang to say the "
        "offer was rescinded because of a hiring freeze, and now I have no job at all."
    )
    det = lib.detect(taken_back)
    assert det.scenario is None and det.explain["reason"] == "not-a-scenario"
    assert lib.job_related(det), "a kind word on what the coach does, not the list of situations"
    assert advise(lib, taken_back)["advice"]["title"] == lib.messages["other_job_title"]
    # The same facts with a situation's own (a counteroffer after resigning) keep the card.
    kept = lib.detect("I resigned on Friday and my manager matched the other offer to keep me")
    assert kept.scenario == "counteroffer"
