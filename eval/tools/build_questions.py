"""Write eval/questions.jsonl: the gold question set over the five corpus articles.

Each gold span is given as evidence text copied from the article; its character offsets are
computed here (file decoded as UTF-8) and checked to be unique, so no offset is typed by hand.
Run: python -m eval.tools.build_questions
"""

from __future__ import annotations

from pathlib import Path

from eval.gold import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
OUT = ROOT / "eval" / "questions.jsonl"
FILES = {p.name[:3]: p.name for p in CORPUS.glob("*.txt")}


def q(qid, kind, question, facts, evidence, history=(), answerable=True):
    """facts: groups of acceptable strings (all groups required); evidence: [(file prefix, text)]."""
    return dict(id=qid, kind=kind, question=question, history=list(history), facts=facts,
                evidence=evidence, answerable=answerable)


QUESTIONS = [
    # factoid
    q("f01", "factoid", "How many people were killed in the Crocus City Hall attack?", [["140"]],
      [("001", "killed over 140 people")]),
    q("f02", "factoid", "When was the CSTO established?", [["2002"]], [("003", "established in 2002")]),
    q("f03", "factoid", "How many lives has Pakistan lost in the fight against terrorism?", [["70,000", "70000"]],
      [("004", "Pakistan has lost some 70,000 lives in the fight against terrorism")]),
    q("f04", "factoid", "How many ISIS militants are there in Afghanistan according to Lavrov?", [["1,000", "1000"]],
      [("004", "there are already 1,000 ISIS militants in Afghanistan")]),
    q("f05", "factoid", "Who led Pakistan's delegation at the 11th meeting of the Joint Working Group in Moscow?",
      [["Nabeel Munir", "Munir"]], [("001", "Pakistan’s delegation was led by Special Secretary (United Nations) Nabeel Munir")]),
    q("f06", "factoid", "When did joint military training between Pakistan and Russia begin?", [["2016"]],
      [("004", "Joint military training between Pakistan and Russia began in 2016.")]),
    q("f07", "factoid", "How much was the US security aid to Pakistan estimated to be worth?", [["1 billion"]],
      [("004", "The security aid was estimated to be worth more than $1 billion.")]),
    q("f08", "factoid", "When will the Pakistan-Russia working group hold its next meeting?", [["2026"]],
      [("001", "Both sides decided to hold the working group’s next meeting in 2026.")]),
    # quote: what did X say
    q("q01", "quote", "What did Lavrov say at the press conference about Pakistan's counterterrorism capacity?",
      [["readiness to continue boosting Pakistan"]],
      [("004", "We have confirmed Russia’s readiness to continue boosting Pakistan’s counterterrorism capacity, which is in the entire region’s interests.")]),
    q("q02", "quote", "What did Asif say about the presence of Daesh in Afghanistan?",
      [["no real acknowledgement", "definitely alarming"]],
      [("004", "There is absolutely no real acknowledgement by Kabul and Washington of such a large presence or proliferation of Daesh in Afghanistan")]),
    q("q03", "quote", "What did Tasmagambetov say about threats in the Central Asian region?",
      [["terrorist activity"], ["trafficking"]],
      [("003", "The threat of terrorist activity, illegal immigration, and the trafficking of weapons and drugs in the Central Asian region remains,")]),
    q("q04", "quote", "What did Lavrov say the instability in Afghanistan and its border regions requires?",
      [["continuous monitoring", "proactive measures"]],
      [("002", "Emerging threats linked to instability in Afghanistan and its border regions require continuous monitoring and proactive measures,")]),
    q("q05", "quote", "What did Pakistan's foreign ministry say about the discussions with Russia?",
      [["transnational nature of terrorism", "exchange of views"]],
      [("001", "The discussions focused around the increasingly transnational nature of terrorism and the growing need for adaptive and cooperative strategies."),
       ("001", "The two sides held an in-depth exchange of views on the global and regional terrorism landscape")]),
    q("q06", "quote", "What did Lavrov say about why ISIS in Afghanistan is a threat to Russia?",
      [["Central Asia"]],
      [("004", "This is right on the borders of our Central Asian neighbors. It increases the risk of terrorists entering Central Asia, from where it’s not difficult for them to get to Russia, and further.")]),
    # multi-article
    q("m01", "multi_article", "Which countries are members of the CSTO?",
      [["Armenia"], ["Belarus"], ["Kazakhstan"], ["Kyrgyzstan"], ["Tajikistan"], ["Russia"]],
      [("000", "The CSTO, comprising Russia,Armenia, Belarus, Kazakhstan, Kyrgyzstan, and Tajikistan"),
       ("002", "comprising Russia, Armenia, Belarus, Kazakhstan, Kyrgyzstan, and Tajikistan"),
       ("003", "Armenia, Belarus, Kazakhstan, Kyrgyzstan, Tajikistan, and Russia")]),
    q("m02", "multi_article", "Which militant groups based in Afghanistan are described as a threat to the region?",
      [["TTP", "Tehrik", "Tehreek"], ["ISIS", "Daesh", "Islamic State", "ISKP"]],
      [("000", "Islamic State Khorasan Province (ISKP)"), ("001", "Tehreek-e-Taliban Pakistan (TTP)"),
       ("003", "ISIS, Al-Qaeda, the Pakistani Taliban (TTP), and Jamaat Ansarullah")]),
    q("m03", "multi_article", "Which meetings between Pakistani and Russian officials took place in Moscow?",
      [["Working Group", "working group"], ["Asif"]],
      [("001", "11th meeting of the Pakistan-Russia Joint Working Group to Counter International Terrorism in Moscow"),
       ("004", "a Tuesday meeting held in Moscow between Lavrov and his Pakistani counterpart, Foreign Minister Khawaja Muhammad Asif")]),
    q("m04", "multi_article", "How are Pakistan and Russia cooperating against terrorism?",
      [["Working Group", "working group"], ["military commission", "military training"]],
      [("001", "Both sides discussed counter-terror strategies during the 11th meeting of the Pakistan-Russia Joint Working Group"),
       ("004", "Russia and Pakistan will form a joint military commission")]),
    q("m05", "multi_article", "What threats from Afghanistan worry the Central Asian states?",
      [["terroris", "extremis", "militant"], ["trafficking", "narcotics"]],
      [("000", "citing risks of terrorism, extremism, andnarcotics trafficking spreading northward"),
       ("002", "militant activity, the potential spillover of extremism, illegal trafficking, and refugee pressures"),
       ("003", "The threat of terrorist activity, illegal immigration, and the trafficking of weapons and drugs")]),
    q("m06", "multi_article", "How does Kabul respond to accusations that militants operate from Afghanistan?",
      [["denies", "denied", "deny"]],
      [("000", "a claim Kabul consistently denies"), ("001", "allegations denied by Kabul"),
       ("003", "has consistently denied the presence of terrorist groups in Afghanistan")]),
    # conflicting sources
    q("c01", "conflicting", "Who is the Secretary-General of the CSTO?", [["Masadykov"], ["Tasmagambetov"]],
      [("000", "Taalatbek Masadykov"), ("002", "CSTO Secretary General Imangali Tasmagambetov"),
       ("003", "CSTO Secretary General Imangali Tasmagambetov")]),
    q("c02", "conflicting", "Which CSTO Secretary General did Lavrov meet?", [["Masadykov"], ["Tasmagambetov"]],
      [("000", "Lavrov’s remarks during meeting with CSTOSecretary-General Taalatbek Masadykov"),
       ("002", "Lavrov made these remarks on Monday during discussions in Moscow with CSTO Secretary General Imangali Tasmagambetov")]),
    q("c03", "conflicting", "How large is the Islamic State presence in Afghanistan?",
      [["outnumber"], ["1,000", "1000"]],
      [("004", "the Islamic State militants in Afghanistan now outnumber the Taliban"),
       ("004", "there are already 1,000 ISIS militants in Afghanistan")]),
    q("c04", "conflicting", "Does the Taliban government control militancy on its territory?",
      [["full control", "suppressed"], ["inability", "unwillingness"]],
      [("000", "asserting full control over its territory"),
       ("002", "the Taliban’s inability or unwillingness to curb militant networks")]),
    q("c05", "conflicting", "Does Afghanistan pose a threat to its neighbours?",
      [["no threat"], ["threat"]],
      [("003", "asserts that Afghanistan poses no threat to any neighboring country"),
       ("003", "has once again raised its concern over the spread of terrorism from Afghanistan into Central Asia")]),
    # follow-up with history
    q("u01", "follow_up", "Who led the Russian side?", [["Vershinin"]],
      [("001", "the Russian side was led by Deputy Foreign Minister, Sergey Vershinin")],
      history=["Who led Pakistan's delegation to the counterterrorism working group meeting in Moscow?"]),
    q("u02", "follow_up", "When did their joint military training begin?", [["2016"]],
      [("004", "Joint military training between Pakistan and Russia began in 2016.")],
      history=["What did Lavrov and Asif agree on in Moscow?"]),
    q("u03", "follow_up", "Who claimed it?", [["Daesh"]],
      [("001", "The attack, claimed by Daesh militants")], history=["What happened at Crocus City Hall?"]),
    q("u04", "follow_up", "Which countries are its members?",
      [["Armenia"], ["Belarus"], ["Kazakhstan"], ["Kyrgyzstan"], ["Tajikistan"]],
      [("003", "Armenia, Belarus, Kazakhstan, Kyrgyzstan, Tajikistan, and Russia")],
      history=["When was the CSTO established?"]),
    q("u05", "follow_up", "How much was that aid worth?", [["1 billion"]],
      [("004", "The security aid was estimated to be worth more than $1 billion.")],
      history=["What did President Trump decide about security aid to Pakistan?"]),
    q("u06", "follow_up", "In which year did he propose it?", [["2022"]],
      [("003", "a concept first proposed by Tajik President Emomali Rakhmon in 2022")],
      history=["Who first proposed the security belt along the CSTO's borders with Afghanistan?"]),
    # paraphrase: little word overlap with the text
    q("p01", "paraphrase", "How many fatalities did the concert hall assault outside the Russian capital cause?",
      [["140"]], [("001", "killed over 140 people")]),
    q("p02", "paraphrase", "What new bilateral defence body will the two nations create?",
      [["military commission"]], [("004", "Russia and Pakistan will form a joint military commission")]),
    q("p03", "paraphrase", "Which Tajik leader first floated the idea of a protective cordon on the Afghan frontier?",
      [["Rakhmon"]], [("003", "a concept first proposed by Tajik President Emomali Rakhmon in 2022")]),
    q("p04", "paraphrase", "Whom does Moscow blame for playing down the jihadist group's growth in Afghanistan?",
      [["US", "United States"], ["NATO"]],
      [("004", "the US and NATO military in Afghanistan makes every effort to silence and deny")]),
    q("p05", "paraphrase", "What sum did Washington say it had handed Islamabad over a decade and a half?",
      [["33 billion"]], [("004", "more than 33 billion dollars in aid over the last 15 years")]),
    q("p06", "paraphrase", "In which economic field did the Russian diplomat see room for working together with Islamabad?",
      [["energy"]], [("004", "Lavrov particularly highlighted potential collaboration in the energy sector")]),
    # glued-word text in 000
    q("g01", "glued", "When did the Taliban return to power?", [["2021"]],
      [("000", "since the Taliban’s return to power in2021")]),
    q("g02", "glued", "Which countries took part in the quadrilateral meetings on Afghanistan?",
      [["China"], ["Iran"], ["Pakistan"], ["Russia"]],
      [("000", "Quadrilateralmeetings involving China, Iran, Pakistan, and Russia")]),
    q("g03", "glued", "Who is Taalatbek Masadykov?", [["Secretary-General", "Secretary General"]],
      [("000", "CSTOSecretary-General Taalatbek Masadykov")]),
    q("g04", "glued", "What did Russia offer to do in late 2025?", [["mediate"]],
      [("000", "Russia’s offer to mediate Pakistan-Afghanistan tensions in late2025")]),
    q("g05", "glued", "Which groups has the UN Security Council sanctions monitoring team documented?",
      [["ISKP"], ["TTP"]],
      [("000", "TheUN Security Council sanctions monitoring team has documented ongoingactivities by groups like ISKP and TTP")]),
    q("g06", "glued", "What did the 11th Pakistan-Russia Joint Working Group focus on in April 2025?",
      [["Afghanistan"]],
      [("000", "In April 2025, the 11th Pakistan-Russia JointWorking Group on Countering International Terrorism focused on evolvingthreats from Afghanistan")]),
    # unanswerable, many of them near misses (names in the corpus, answer not)
    q("n01", "unanswerable", "What did Lavrov say about the war in Ukraine?", [], [], answerable=False),
    q("n02", "unanswerable", "What is the population of Kazakhstan?", [], [], answerable=False),
    q("n03", "unanswerable", "What did Asif say about India?", [], [], answerable=False),
    q("n04", "unanswerable", "Who won the 2024 general election in Pakistan?", [], [], answerable=False),
    q("n05", "unanswerable", "Which US weapons left in Afghanistan did ISIS obtain?", [], [], answerable=False),
    q("n06", "unanswerable", "When will the CSTO security belt along the Afghan border be completed?", [], [], answerable=False),
    q("n07", "unanswerable", "What did Nabeel Munir say about Daesh?", [], [], answerable=False),
    q("n08", "unanswerable", "How many CSTO troops are stationed in Tajikistan?", [], [], answerable=False),
    q("n09", "unanswerable", "What is Sergey Vershinin's view of the Taliban government?", [], [], answerable=False),
    q("n10", "unanswerable", "What was agreed at the Moscow Format talks in 2025?", [], [], answerable=False),
    q("n11", "unanswerable", "How much Russian gas does Pakistan import each year?", [], [], answerable=False),
    q("n12", "unanswerable", "What did Zabihullah Mujahid say about ISIS-K?", [], [], answerable=False),
]


def span_of(text: str, evidence: str, where: str) -> tuple[int, int]:
    start = text.find(evidence)
    if start < 0:
        raise ValueError(f"{where}: evidence not in file: {evidence!r}")
    if text.find(evidence, start + 1) >= 0 and len(evidence) < 40:
        raise ValueError(f"{where}: evidence not unique, quote more of it: {evidence!r}")
    return start, start + len(evidence)


def build() -> list[dict]:
    texts = {prefix: (CORPUS / name).read_text(encoding="utf-8") for prefix, name in FILES.items()}
    rows = []
    for item in QUESTIONS:
        spans = []
        for prefix, evidence in item["evidence"]:
            start, end = span_of(texts[prefix], evidence, item["id"])
            assert texts[prefix][start:end] == evidence
            spans.append({"source": FILES[prefix], "start": start, "end": end})
        rows.append({
            "id": item["id"], "kind": item["kind"], "question": item["question"], "history": item["history"],
            "gold_sources": sorted({s["source"] for s in spans}), "gold_facts": item["facts"],
            "gold_spans": spans, "answerable": item["answerable"],
        })
    if len({r["id"] for r in rows}) != len(rows):
        raise ValueError("duplicate question ids")
    return rows


def main() -> None:
    rows = build()
    write_jsonl(OUT, rows)
    print(f"{len(rows)} questions -> {OUT}")


if __name__ == "__main__":
    main()
