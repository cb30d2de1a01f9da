"""Answers over the five articles: shape, exact citations, facts, abstention, disagreement, follow-ups.

Every gold fact below was read off the article text (file named in the case), not copied from output.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import pytest
from conftest import ARTICLES

import rag

A = ARTICLES
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-",
                       "\u00a0": " "})


def fold(text: str) -> str:
    """Curly quotes and dashes folded, whitespace collapsed (the answer text is shown that way)."""
    return " ".join(text.translate(_FOLD).split())


def squash(text: str) -> str:
    """fold() without any spaces: a fact matches a quote even where the file glues words."""
    return re.sub(r"\s+", "", fold(text)).lower()


def check_citations(answer: rag.Answer, index) -> None:
    """What a reader relies on: every citation quotes its file exactly, and every marker resolves."""
    for c in list(answer.citations) + list(answer.related):
        src = PurePosixPath(c.source)
        assert not src.is_absolute() and ".." not in src.parts, c.source
        assert (index.corpus / c.source).is_file(), c.source
        assert index.text(c.source)[c.start:c.end] == c.quote, (c.source, c.start, c.end)
        assert c.quote.strip(), "empty citation"
        assert c.passage_start <= c.start < c.end <= c.passage_end
    ns = [c.n for c in answer.citations]
    assert ns == list(range(1, len(ns) + 1))
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == set(ns), (answer.text, ns)
    for s in answer.sentences:
        assert s.citations and set(s.citations) <= set(ns)
        assert s.text in answer.text


def ask(assistant, index, question: str) -> rag.Answer:
    answer = assistant.ask(question)
    check_citations(answer, index)
    return answer


# -- the JSON shape -----------------------------------------------------------------------------------

def _check_shape(d: dict) -> None:
    assert isinstance(d["question"], str)
    assert isinstance(d["answer"], str) and d["answer"]
    assert isinstance(d["abstained"], bool)
    assert isinstance(d["citations"], list) and isinstance(d["sentences"], list)
    for c in d["citations"]:
        assert {"n", "source", "title", "start", "end", "quote", "score"} <= set(c)
        assert isinstance(c["n"], int) and isinstance(c["start"], int) and isinstance(c["end"], int)
        assert isinstance(c["source"], str) and isinstance(c["title"], str) and isinstance(c["quote"], str)
        assert isinstance(c["score"], float)
    for s in d["sentences"]:
        assert {"text", "citations", "supported"} <= set(s)
        assert isinstance(s["text"], str) and isinstance(s["supported"], bool)
        assert isinstance(s["citations"], list) and all(isinstance(n, int) for n in s["citations"])
    assert {"retrieve", "answer", "total"} <= set(d["timings_ms"])
    assert all(isinstance(v, float) for v in d["timings_ms"].values())


def test_answer_json_has_the_documented_shape(core_assistant, core_index):
    q = "What did Lavrov say about ISIS numbers?"
    answer = ask(core_assistant, core_index, q)
    d = answer.to_dict()
    _check_shape(d)
    assert json.loads(answer.to_json()) == d
    assert d["question"] == q and d["abstained"] is False
    assert d["answer"] == answer.text and "[1]" in d["answer"]
    assert d["citations"][0]["n"] == 1
    for c in d["citations"]:
        assert core_index.text(c["source"])[c["start"]:c["end"]] == c["quote"]
        assert c["source"] in ARTICLES.values()  # relative to the corpus dir, no folder prefix
        assert c["title"] == {x.source: x.title for x in core_assistant.documents()}[c["source"]]
    by_n = {c["n"]: c for c in d["citations"]}
    for s in d["sentences"]:  # each shown sentence is the sentence its first citation quotes
        assert s["supported"] and s["citations"]
        shown, quoted = (re.sub(r"\W", "", x).lower() for x in (s["text"], by_n[s["citations"][0]]["quote"]))
        assert shown == quoted, (s["text"], by_n[s["citations"][0]]["quote"])


def test_abstention_json_has_the_same_shape(core_assistant, core_index):
    answer = ask(core_assistant, core_index, "What did Lavrov say about the war in Ukraine?")
    d = answer.to_dict()
    _check_shape(d)
    assert d["abstained"] is True and d["citations"] == [] and d["sentences"] == []
    assert d["answer"] == rag.ABSTAIN_TEXT


def test_stream_gives_the_same_answer_text(core_assistant):
    q = "When was the CSTO established?"
    events = list(core_assistant.stream(q))
    assert events[-1].answer is not None
    assert "".join(e.delta for e in events[:-1]) == events[-1].answer.text
    assert events[-1].answer.text == core_assistant.ask(q).text


def test_retrieve_returns_k_hits_best_first(core_assistant):
    for k in (1, 3, 7):
        hits = core_assistant.retrieve("Crocus City Hall attack near Moscow", k=k)
        assert len(hits) == k
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert core_assistant.retrieve("Crocus City Hall attack near Moscow", k=1)[0].passage.source == A["001"]


# -- glued words (000 lost its line breaks: "Afghanistanas", "withPakistan's", "TheUN") -----------------

GLUED = [
    ("Lavrov described Afghanistan as a major security concern", "Afghanistanas a major"),
    ("regional consensus on countering transnational terrorism", "regionalconsensus"),
    ("Tajik-Afghan borders", "strengthenTajik-Afghan borders"),
    ("Pakistan accused Afghan-based militants, particularly the TTP, of launching attacks", "particularly theTTP"),
    ("airstrikes targeting alleged militant hideouts", "militanthideouts"),
    ("the UN Security Council sanctions monitoring team", "TheUN Security"),
    ("economic and humanitarian crises in Afghanistan exacerbating instability", "crises inAfghanistan"),
    ("Quadrilateral meetings involving China, Iran, Pakistan, and Russia", "Quadrilateralmeetings"),
    ("Russia facing its own vulnerabilities from groups like ISKP", "ownvulnerabilities"),
]


@pytest.mark.parametrize("query, glued", GLUED, ids=[g for _, g in GLUED])
def test_glued_text_is_found_by_normally_spaced_words(core_assistant, query, glued):
    top = core_assistant.retrieve(query, k=5)[0]
    assert top.passage.source == A["000"]
    assert glued in top.passage.text


# -- answers to questions written from reading the articles ---------------------------------------------

ANSWERABLE = [
    # (question, fact that must be in the answer, articles that state it)
    ("What did Lavrov say about ISIS numbers?", "1,000", {"004"}),
    ("How many people were killed in the Crocus City Hall attack?", "140", {"001"}),
    ("When did the Crocus City Hall attack happen?", "Mar. 22, 2024", {"001"}),
    ("Who claimed the Crocus City Hall attack?", "Daesh", {"001"}),
    ("Who led Pakistan's delegation at the 11th Joint Working Group meeting?", "Nabeel Munir", {"001"}),
    ("Who led the Russian side at the 11th Joint Working Group meeting?", "Vershinin", {"001"}),
    ("When will the working group hold its next meeting?", "2026", {"001"}),
    ("When was the last meeting of the working group held?", "Nov. 16, 2023", {"001"}),
    ("How many lives has Pakistan lost in the fight against terrorism?", "70,000", {"004"}),
    ("How much was the US security aid to Pakistan worth?", "$1 billion", {"004"}),
    ("How much aid has the United States given Pakistan over the last 15 years?", "33 billion", {"004"}),
    ("When did joint military training between Pakistan and Russia begin?", "2016", {"004"}),
    ("Who was Lavrov's Pakistani counterpart at the Moscow press conference?", "Khawaja Muhammad Asif", {"004"}),
    ("Who announced the termination of security aid to Pakistan?", "Trump", {"004"}),
    ("Where are the ISIS militants in Afghanistan mostly located?", "Eastern and Northern Afghanistan", {"004"}),
    ("Where was Osama bin Laden found hiding?", "one mile from Pakistan's main military training academy", {"004"}),
    ("What will Russia and Pakistan form for the first time?", "joint military commission", {"004"}),
    ("What did Pakistan and Russia agree about a military solution in Afghanistan?", "no military solution", {"004"}),
    ("According to Asif, who do Islamic State militants in Afghanistan now outnumber?", "outnumber the Taliban", {"004"}),
    ("What does Russia claim to have documented flying into insurgent hotbeds?", "unmarked helicopters", {"004"}),
    ("When was the CSTO established?", "2002", {"003"}),
    ("How many countries are in the CSTO military alliance?", "six", {"003"}),
    ("Which countries are members of the CSTO?", "Armenia", {"000", "002", "003"}),
    ("Who first proposed a security belt along the CSTO's borders with Afghanistan?", "Emomali Rakhmon", {"003"}),
    ("Which news agency reported Tasmagambetov's remarks?", "TASS", {"003"}),
    ("What did the Taliban claim about ISIS-K?", "suppressed ISIS-K", {"003"}),
    ("Where did Lavrov meet Tasmagambetov?", "Moscow", {"002", "003"}),
    ("On which day did Lavrov make his remarks to Tasmagambetov?", "Monday", {"002"}),
    ("What did CSTO leaders reaffirm?", "commitment", {"002"}),
    ("What position does Nabeel Munir hold?", "Special Secretary", {"001"}),
    ("Who is Amir Khan Muttaqi?", "Interim Foreign Minister", {"001"}),
    ("What did Russia and Pakistan agree on regarding Afghanistan?", ("no military solution", "Afghan-led peace"),
     {"004"}),
    ("How long has the US been involved in Afghanistan according to the article?", "16 years", {"004"}),
    # quotes
    ("What did Asif say about Daesh?", "no real acknowledgement by Kabul and Washington", {"004"}),
    ("What did Lavrov say about Pakistan's counterterrorism capacity?",
     "readiness to continue boosting Pakistan's counterterrorism capacity", {"004"}),
    ("What did Lavrov say about emerging threats linked to instability in Afghanistan?",
     "continuous monitoring and proactive measures", {"002"}),
    ("What did Tasmagambetov say about the threat of terrorist activity in Central Asia?",
     "illegal immigration", {"003"}),
    ("What suspicions does Moscow hold about the NATO-led coalition?", "very serious suspicions", {"004"}),
    ("What did Trump tweet about Pakistan?", "nothing but lies", {"004"}),
    ("What did Zabihullah Mujahid say about the TTP?", "internal issue", {"001"}),  # in 001's teaser list
    # the same facts asked in other words than the article's
    ("How many people died in the Crocus City Hall attack?", "140", {"001"}),
    ("When was the CSTO founded?", "2002", {"003"}),
    ("Who headed the Russian delegation at the 11th Joint Working Group meeting?", "Vershinin", {"001"}),
    ("Who headed Pakistan's delegation at the 11th Joint Working Group meeting?", "Nabeel Munir", {"001"}),
    ("How many ISIS fighters does Lavrov say are in Afghanistan?", "1,000", {"004"}),
    ("When did Pakistan and Russia start joint military exercises?", "2016", {"004"}),
    ("Where are most of the ISIS militants in Afghanistan based?", "Eastern and Northern Afghanistan", {"004"}),
    pytest.param("Who attended the Moscow press conference with Lavrov?", "Asif", {"004"}, marks=pytest.mark.xfail(strict=True, reason="known limit: 'attended' has no counterpart in 004's wording ('a meeting ... between Lavrov and ... Asif')")),
    ("Which organisation does Tasmagambetov lead?", "CSTO", {"002", "003"}),
    # glued text in 000
    ("When did the 11th Pakistan-Russia Joint Working Group on Countering International Terrorism take place?",
     "April 2025", {"000"}),
    ("According to Islamabad, what do safe havens in Afghanistan enable militant groups to do?", "regroup", {"000"}),
    ("When did the Taliban return to power?", "2021", {"000"}),
    ("When did Russia offer to mediate Pakistan-Afghanistan tensions?", "late 2025", {"000"}),
    ("Which countries took part in the Quadrilateral meetings?", "China, Iran, Pakistan, and Russia", {"000"}),
    ("Which groups did the Quadrilateral meetings condemn?", "Al-Qaeda", {"000"}),
    ("What do CSTO programs aim to mitigate?", "mitigate risks", {"000"}),
    ("What does Russia advocate instead of confrontation?", "dialogue and diplomatic engagement", {"000"}),
    ("Which groups did the UN Security Council sanctions monitoring team document?", "ISKP", {"000"}),
    ("What risks did Lavrov cite as spreading northward?", "narcotics trafficking", {"000"}),
    ("What did joint statements from 2024 and 2025 urge Afghan authorities to do?", "dismantle", {"000"}),
    ("Who is Taalatbek Masadykov?", "CSTO Secretary-General", {"000"}),
]


@pytest.mark.parametrize("question, fact, gold", ANSWERABLE,
                         ids=[(p.values if hasattr(p, "values") else p)[0] for p in ANSWERABLE])
def test_answer_states_the_fact_and_cites_the_article(core_assistant, core_index, question, fact, gold):
    answer = ask(core_assistant, core_index, question)
    assert not answer.abstained, f"false abstention: {answer.notes}"
    facts = (fact,) if isinstance(fact, str) else fact  # several acceptable answers
    assert any(fold(f) in fold(answer.text) for f in facts), answer.text
    gold_sources = {A[g] for g in gold}
    cited = [c for c in answer.citations if c.source in gold_sources]
    assert cited, f"none of {sorted(gold)} cited: {[c.source for c in answer.citations]}"
    # the fact comes from a cited sentence of a gold article, not from somewhere else in the answer
    assert any(squash(f) in squash(c.quote) for f in facts for c in cited), [c.quote for c in cited]


def test_the_lavrov_isis_example_from_the_issue(core_assistant, core_index):
    answer = ask(core_assistant, core_index, "What did Lavrov say about ISIS numbers?")
    assert "1,000" in answer.text
    assert answer.citations[0].source == A["004"]
    text = core_index.text(A["004"])
    sentence = "Lavrov acknowledged the seriousness of the threat, pointing out that there are already 1,000 ISIS militants in Afghanistan."
    start = text.index(sentence)
    assert any((c.start, c.end) == (start, start + len(sentence)) for c in answer.citations)
    assert len(answer.sentences) <= 3, "a few sentences, not whole passages"


# -- abstention -----------------------------------------------------------------------------------------

UNANSWERABLE = [
    "What did Lavrov say about the war in Ukraine?",
    "What did Vershinin say about Ukraine?",
    "How many ISIS militants are in Syria?",
    "Who is the President of Kazakhstan?",  # only the Tajik president is named
    "Who is the Secretary-General of NATO?",  # only the CSTO's is named
    "When was the SCO founded?",  # only the CSTO's founding year is given
    "When did Pakistan and China begin joint military training?",  # Pakistan-Russia training began in 2016
    "How many CSTO troops are deployed on the Tajik-Afghan border?",
    "What is the population of Kazakhstan?",
    "Who is the Prime Minister of Pakistan?",
    "What did Nabeel Munir say about India?",
    "How many ISIS militants are in Pakistan?",  # the 1,000 are in Afghanistan
    "What did Lavrov say about the Crocus City Hall attack?",  # 001 reports the attack; Lavrov never mentions it
    "What did Lavrov say about China?",  # China appears only in a critic's remark and the Quadrilateral list
    "What did Lavrov say about sanctions on Russia?",  # "sanctions" appears only for the UN monitoring team
    "How much did Russia spend on the joint military commission?",  # no cost is given
    "Who led the Russian delegation at the 10th Joint Working Group meeting?",  # only the 11th is described
    pytest.param("Who is the CSTO's deputy secretary general?", marks=pytest.mark.xfail(strict=True, reason="known limit: 3 of the 4 key terms are covered and 'deputy' occurs elsewhere in the corpus")),  # only secretaries general are named
    "Who leads the Tehrik-e-Taliban Pakistan?",  # the TTP is mentioned often, its leader never
    pytest.param("What did Trump say about Russia?", marks=pytest.mark.xfail(strict=True, reason='known limit: one 004 sentence names Trump announcing and Russia, though Lavrov is who speaks of Russia')),  # Trump's tweet is about Pakistan
    "Who is the Russian ambassador to Pakistan?",
    "What is the capital of Tajikistan?",
    "How many ISIS militants are in Central Asia?",  # the 1,000 are in Afghanistan
    "What did Lavrov say about Pakistan's nuclear weapons?",
    "What did Lavrov say about Iran?",  # Iran appears, never in Lavrov's words
]


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_question_abstains(core_assistant, core_index, question):
    answer = ask(core_assistant, core_index, question)
    assert answer.abstained, f"answered instead of abstaining: {answer.text}"
    assert answer.text == rag.ABSTAIN_TEXT
    assert answer.citations == () and answer.sentences == ()


@pytest.mark.xfail(strict=True, reason="known limit: since sentence vectors are pooled in their passage (late "
                   "chunking) the reader gives the agenda sentence 0.70-0.87, over the floor (0.50)")
def test_an_on_topic_sentence_the_reader_scores_low_is_not_shown(core_assistant, core_index):
    """The rules alone quoted the 11th working group's agenda for this near miss (gold n10); the reader floor refuses it."""
    answer = ask(core_assistant, core_index, "What was agreed at the Moscow Format talks in 2025?")
    assert answer.abstained, f"answered a near miss: {answer.text}"
    assert any("learned reader gives the best sentence only" in n for n in answer.notes), answer.notes


def test_the_reader_floor_is_checked_when_the_policy_is_made():
    from rag.answer.policy import ExtractivePolicy

    with pytest.raises(ValueError, match="reader_floor"):
        ExtractivePolicy(reader_floor=1.5)


def test_ukraine_abstains_and_lists_related_passages(core_assistant, core_index):
    answer = ask(core_assistant, core_index, "What did Lavrov say about the war in Ukraine?")
    assert answer.abstained and answer.text == "The corpus does not say."
    assert answer.related, "an abstention lists the closest passages"
    assert any("Lavrov" in c.quote for c in answer.related)
    assert all("Ukraine" not in c.quote for c in answer.related)


# -- disagreement ---------------------------------------------------------------------------------------

def test_disagreeing_articles_both_appear_with_their_citations(core_assistant, core_index):
    answer = ask(core_assistant, core_index, "Who is the CSTO Secretary-General?")
    assert not answer.abstained
    assert "Tasmagambetov" in answer.text and "Masadykov" in answer.text
    tasma = [c for c in answer.citations if "Tasmagambetov" in c.quote]
    masa = [c for c in answer.citations if "Masadykov" in c.quote]
    assert tasma and {c.source for c in tasma} <= {A["002"], A["003"]}
    assert masa and {c.source for c in masa} == {A["000"]}
    # each name is in a sentence that carries the citation of the article naming it
    for s in answer.sentences:
        for name, cites in (("Tasmagambetov", tasma), ("Masadykov", masa)):
            if name in s.text:
                assert set(s.citations) & {c.n for c in cites}


# -- follow-ups -----------------------------------------------------------------------------------------

def test_follow_up_is_resolved_against_the_history(core_assistant, core_index):
    chat = core_assistant.chat()
    first = chat.ask("Who led Pakistan's delegation at the 11th Joint Working Group meeting?")
    check_citations(first, core_index)
    assert "Nabeel Munir" in first.text and any(c.source == A["001"] for c in first.citations)
    second = chat.ask("And who led the Russian side?")
    check_citations(second, core_index)
    assert not second.abstained and "Vershinin" in second.text
    assert any(c.source == A["001"] and "Vershinin" in c.quote for c in second.citations)
    assert len(chat.history) == 2 and chat.history[1].question == "And who led the Russian side?"


@pytest.mark.parametrize("first, follow_up, fact, gold, also", [
    ("What did Lavrov say about ISIS numbers?", "Where are they mostly located?",
     "Eastern and Northern Afghanistan", {"004"}, ""),
    ("How many people were killed in the Crocus City Hall attack?", "Who claimed it?", "Daesh", {"001"}, ""),
    ("What happened at Crocus City Hall?", "How many people died?", "140", {"001"}, "Crocus"),
    ("Who is Khawaja Muhammad Asif?", "How many lives did he say Pakistan has lost?", "70,000", {"004"}, ""),
    ("When was the CSTO established?", "Which countries are its members?", "Armenia", {"003"}, ""),
    ("What aid did the US cut to Pakistan?", "How much was it worth?", "$1 billion", {"004"}, ""),
    ("Who first proposed a security belt along the CSTO's borders with Afghanistan?", "When?", "2022", {"003"}, ""),
    ("When did joint military training between Pakistan and Russia begin?", "Will it continue?",
     "trainings will continue", {"004"}, ""),
    # "he" is Tasmagambetov: the place must come from a sentence about his meeting, not another one
    ("Who is Imangali Tasmagambetov?", "Where did he meet Lavrov?", "Moscow", {"002", "003"}, "Tasmagambetov"),
])
def test_more_follow_ups(core_assistant, core_index, first, follow_up, fact, gold, also):
    chat = core_assistant.chat()
    chat.ask(first)
    answer = chat.ask(follow_up)
    check_citations(answer, core_index)
    assert not answer.abstained, f"false abstention: {answer.notes}"
    assert fact in fold(answer.text), answer.text
    assert any(c.source in {A[g] for g in gold} and fact in fold(c.quote) and also in c.quote
               for c in answer.citations), [(c.source, c.quote) for c in answer.citations]


def test_reset_forgets_the_conversation(core_assistant):
    chat = core_assistant.chat()
    chat.ask("How many people were killed in the Crocus City Hall attack?")
    carried = chat.ask("Who claimed it?")
    assert "Crocus" in carried.standalone_question or "Crocus" in " ".join(t.context for t in chat.history)
    chat.reset()
    assert chat.history == ()
    after = chat.ask("Who claimed it?")
    assert after.standalone_question == "Who claimed it?"
    alone = core_assistant.ask("Who claimed it?")
    # after a reset the chat answers exactly like a single question with no history
    assert after.text == alone.text
    assert [(c.source, c.start, c.end) for c in after.citations] == [(c.source, c.start, c.end) for c in alone.citations]
    assert len(chat.history) == 1


# -- web boilerplate does not outrank article text ------------------------------------------------------

@pytest.mark.parametrize("question", [
    "What did Pakistan say about cross-border militancy from Afghanistan?",
    "What does the Taliban say about the TTP?",
    "What threatens regional peace and security according to Lavrov?",
    "How do Pakistan and Russia share experiences in battling militancy?",
])
def test_boilerplate_does_not_outrank_article_text(core_assistant, core_index, question):
    boiler = {p.id for p in core_assistant.store.passages() if p.boilerplate}
    assert boiler, "001 and 004 have newsletter blurbs and teaser lists"
    hits = core_assistant.retrieve(question, k=3)
    assert hits[0].passage.id not in boiler
    answer = ask(core_assistant, core_index, question)
    assert not answer.abstained
    assert all(c.passage_id not in boiler for c in answer.citations)


def test_same_sentence_in_two_articles_is_said_once_with_both_citations(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    same = "The Narva bridge reopened on 12 June after two years of repairs."
    (corpus / "a.txt").write_text(f"Report A\n\n{same} Traffic on the bridge is limited to cars.\n\n"
                                  "The city council of Narva also approved a new budget for schools.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Report B\n\nThe fishing season in Parnu opened early this year.\n\n"
                                  f"{same} Officials expect heavy traffic in July.\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    answer = a.ask("When did the Narva bridge reopen?")
    assert not answer.abstained and "12 June" in answer.text
    assert answer.text.count(same) == 1
    [s] = [s for s in answer.sentences if s.text == same]
    cited = {answer.citation(n).source for n in s.citations}
    assert cited == {"a.txt", "b.txt"}
    for c in answer.citations:
        assert (corpus / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote


def test_question_in_another_tense_than_the_text(tmp_path):
    """'did it draw' asks about what the text says it 'drew' (irregular verbs do not stem alike)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "summit.txt").write_text("Summit Report\n\nThe summit in Astana on 14 October drew 3,200 delegates "
                                       "from member states.\n\nThe ministers met again in Minsk a year later.\n",
                                       encoding="utf-8")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    answer = a.ask("How many delegates did the summit in Astana draw?")
    assert not answer.abstained, answer.notes
    assert "3,200" in answer.text and answer.citations[0].source == "summit.txt"


@pytest.mark.parametrize("question, fact", [
    ("When did the ferry Tallinna sink?", "28 September"),  # sank
    ("Where did the crew of the ferry flee to?", "Hiiumaa"),  # fled
    ("How many children were rescued by the ferry's crew?", "forty"),  # a child / children
])
def test_other_forms_of_a_word_than_the_hand_list_knows(tmp_path, question, fact):
    """Word forms that stem apart come from lemminflect's table, not a hand list of news verbs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(
        "Ferry Report\n\nThe ferry Tallinna sank in a storm on 28 September, two hours after leaving port.\n\n"
        "Its crew fled to Hiiumaa in lifeboats. They rescued forty passengers, each a child under ten.\n\n"
        "The port authority opened an inquiry into the ferry's last inspection.\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    answer = a.ask(question)
    assert not answer.abstained, answer.notes
    assert fact in answer.text


def test_an_abstention_names_a_possessive_speaker_once(core_assistant):
    answer = core_assistant.ask("What is Sergey Vershinin's view of the Taliban government?")
    assert answer.abstained and answer.notes[0] == "Abstained: no passage gives Sergey Vershinin's words on this."
