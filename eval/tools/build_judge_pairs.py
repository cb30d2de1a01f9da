"""Write eval/judge_pairs.jsonl: labelled (passage, sentence, supported) pairs from the corpus.

Passages are whole lines of the corpus files (the articles' paragraphs), located by their opening
words, so offsets are computed, not typed.  The split (tune / heldout) is fixed by a hash of the
sentence, decided before the judge was run on any pair; tuning looked only at the "tune" half.
Run: python -m eval.tools.build_judge_pairs
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from eval.gold import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
OUT = ROOT / "eval" / "judge_pairs.jsonl"
FILES = {p.name[:3]: p.name for p in CORPUS.glob("*.txt")}

# (file prefix, opening words of the passage line, number of lines, sentence, supported, kind)
PAIRS = [
    # --- supported: exact and near-exact quotes, glued text (000) de-glued, paraphrases
    ("000", "ISLAMABAD: Russian", 1, "Russian Foreign Minister Sergey Lavrov has described Afghanistan as a major security concern for the region.", True, "glued_exact"),
    ("000", "ISLAMABAD: Russian", 1, "Lavrov's view aligns closely with Pakistan's longstanding position that terrorist groups operating from Afghan territory threaten neighboring states.", True, "glued_paraphrase"),
    ("000", "ISLAMABAD: Russian", 1, "This convergence underscores growing regional consensus on countering transnational terrorism.", True, "glued_exact"),
    ("000", "Pakistan has repeatedly", 1, "Official data from Pakistani authorities indicate a surge in such incidents since the Taliban's return to power in 2021.", True, "glued_exact"),
    ("000", "Pakistan has repeatedly", 1, "Islamabad says safe havens in Afghanistan let militant groups regroup and train, which Kabul denies.", True, "glued_paraphrase"),
    ("000", "Russia’s position reflects", 1, "Lavrov met CSTO Secretary-General Taalatbek Masadykov and called Afghanistan-related developments a top priority.", True, "glued_paraphrase"),
    ("000", "Russia’s position reflects", 1, "The CSTO, comprising Russia, Armenia, Belarus, Kazakhstan, Kyrgyzstan, and Tajikistan, views such threats as collective security challenges.", True, "glued_exact"),
    ("000", "The alignment between Moscow", 1, "In April 2025, the 11th Pakistan-Russia Joint Working Group on Countering International Terrorism focused on threats from Afghanistan.", True, "glued_paraphrase"),
    ("000", "Multilateral forums", 1, "Quadrilateral meetings of China, Iran, Pakistan and Russia condemned terrorist groups operating from Afghanistan, including the TTP and ISKP.", True, "glued_paraphrase"),
    ("000", "Multilateral forums", 1, "Joint statements from 2024 and 2025 urged Afghan authorities to dismantle these networks.", True, "paraphrase"),
    ("000", "UN reports and regional", 1, "The UN Security Council sanctions monitoring team has documented ongoing activities by groups like ISKP and TTP.", True, "glued_exact"),
    ("000", "Pakistan’s security calculus", 1, "Frequent border clashes, including airstrikes on alleged militant hideouts, reflect Islamabad's proactive stance.", True, "glued_paraphrase"),
    ("000", "CSTO mechanisms", 1, "CSTO programs aim to strengthen Tajik-Afghan borders and share intelligence to mitigate risks.", True, "glued_paraphrase"),
    ("000", "This Russia-Pakistan convergence", 1, "Russia offered to mediate Pakistan-Afghanistan tensions in late 2025.", True, "glued_paraphrase"),
    ("000", "The situation remains fluid", 1, "Formats like the Moscow Format and the SCO could foster stability through sustained coordination.", True, "paraphrase"),
    ("001", "ISLAMABAD: Senior officials", 1, "Senior officials from Pakistan and Russia on Tuesday agreed to strengthen cooperation in the face of evolving “terrorism” in Afghanistan and the region, Pakistan’s foreign ministry said in a statement.", True, "exact"),
    ("001", "Pakistan and Russia have both struggled", 1, "Islamabad complains of rising cross-border attacks by the banned TTP, which it says come from Afghanistan; Kabul denies the allegations.", True, "paraphrase"),
    ("001", "Russia also faces threats", 1, "The Crocus City Hall attack near Moscow on March 22, 2024 killed over 140 people.", True, "paraphrase"),
    ("001", "Russia also faces threats", 1, "Daesh militants claimed the attack, one of the deadliest in Russia in recent years.", True, "paraphrase"),
    ("001", "Both sides discussed counter-terror", 1, "Pakistan's delegation was led by Special Secretary Nabeel Munir, and the Russian side by Deputy Foreign Minister Sergey Vershinin.", True, "paraphrase"),
    ("001", "Both sides discussed counter-terror", 1, "The 11th meeting of the Pakistan-Russia Joint Working Group to Counter International Terrorism was held in Moscow.", True, "paraphrase"),
    ("001", "“The two sides held", 1, "The two sides held an in-depth exchange of views on the global and regional terrorism landscape.", True, "exact"),
    ("001", "Both sides decided", 1, "The working group's next meeting will be held in 2026.", True, "paraphrase"),
    ("001", "Pakistan and Russia held the last", 1, "The previous meeting of the working group took place on Nov. 16, 2023.", True, "paraphrase"),
    ("001", "Zabihullah Mujahid’s recent statement", 1, "Zabihullah Mujahid dismissed the TTP as Pakistan's internal issue.", True, "paraphrase"),
    ("001", "Interim Foreign Minister Amir", 1, "Amir Khan Muttaqi's address tried to reframe Afghanistan's strained ties with Pakistan as a story of victimhood.", True, "paraphrase"),
    ("002", "Russian Foreign Minister Sergei", 1, "Russian Foreign Minister Sergei Lavrov emphasized that security risks and destabilizing developments in Afghanistan remain a central concern for the Collective Security Treaty Organization (CSTO).", True, "exact"),
    ("002", "Lavrov made these remarks", 1, "Lavrov spoke on Monday in Moscow with CSTO Secretary General Imangali Tasmagambetov.", True, "paraphrase"),
    ("002", "The Foreign Minister highlighted", 1, "Lavrov noted that militant activity, extremism spillover, illegal trafficking and refugee pressures remain high on the CSTO agenda.", True, "paraphrase"),
    ("002", "Lavrov stated that new developments", 1, "“Emerging threats linked to instability in Afghanistan and its border regions require continuous monitoring and proactive measures,” he said.", True, "exact"),
    ("002", "The CSTO, a regional military", 1, "Lavrov said CSTO member states have strengthened joint military exercises, intelligence sharing and border cooperation.", True, "paraphrase"),
    ("002", "Central Asian states, according", 1, "According to Lavrov, Central Asian states have repeatedly raised concerns about the Taliban's inability or unwillingness to curb militant networks.", True, "paraphrase"),
    ("003", "KABUL, AFGHANISTAN", 1, "The CSTO, a military alliance of six Eurasian countries, again voiced concern over terrorism spreading from Afghanistan into Central Asia.", True, "paraphrase"),
    ("003", "As reported by the Russian TASS", 1, "TASS reported that CSTO Secretary General Imangali Tasmagambetov said the organization keeps monitoring threats from Afghanistan.", True, "paraphrase"),
    ("003", "“The threat of terrorist activity", 1, "“The threat of terrorist activity, illegal immigration, and the trafficking of weapons and drugs in the Central Asian region remains,” he said.", True, "exact"),
    ("003", "The Collective Security Treaty Organization (CSTO), established", 1, "The CSTO was established in 2002 and its members are six post-Soviet states.", True, "paraphrase"),
    ("003", "The Taliban’s takeover", 1, "Terrorist groups such as ISIS, Al-Qaeda, the Pakistani Taliban (TTP) and Jamaat Ansarullah are feared to resurge.", True, "paraphrase"),
    ("003", "To mitigate the threat", 1, "The security belt along the borders with Afghanistan was first proposed by Tajik President Emomali Rakhmon in 2022.", True, "paraphrase"),
    ("003", "The regime in Kabul", 1, "The Taliban claim to have suppressed ISIS-K and say Afghanistan poses no threat to any neighboring country.", True, "paraphrase"),
    ("004", "Nearly two months after", 1, "Lavrov announced that Russia will continue to work with Pakistan on counterterrorism.", True, "paraphrase"),
    ("004", "The announcement came during", 1, "Russia and Pakistan will form a joint military commission for the first time.", True, "paraphrase"),
    ("004", "The announcement came during", 1, "Lavrov met his Pakistani counterpart, Foreign Minister Khawaja Muhammad Asif, in Moscow on Tuesday.", True, "paraphrase"),
    ("004", "Lavrov said during the press", 1, "We have confirmed Russia’s readiness to continue boosting Pakistan’s counterterrorism capacity, which is in the entire region’s interests.", True, "exact"),
    ("004", "Amid security concerns", 1, "The two ministers agreed there is no military solution in Afghanistan.", True, "paraphrase"),
    ("004", "Focusing on terrorism", 1, "Asif said Islamic State militants in Afghanistan now outnumber the Taliban.", True, "paraphrase"),
    ("004", "The US cut aid", 1, "The security aid the US cut was estimated at more than $1 billion.", True, "paraphrase"),
    ("004", "The US cut aid", 2, "Trump tweeted that the United States had given Pakistan more than 33 billion dollars in aid over the last 15 years.", True, "paraphrase"),
    ("004", "Pakistan, of course", 1, "Asif said Pakistan has lost some 70,000 lives fighting terrorism.", True, "paraphrase"),
    ("004", "Lavrov responded by saying", 1, "Lavrov said Russia deeply appreciated Pakistan's efforts and sacrifices in the fight against terrorism.", True, "paraphrase"),
    ("004", "Where Asif made the accusation", 1, "Lavrov said there are already 1,000 ISIS militants in Afghanistan, mostly in the east and north.", True, "paraphrase"),
    ("004", "Lavrov echoed the allegations", 1, "Lavrov accused the US and NATO military in Afghanistan of trying to silence and deny the presence of Daesh.", True, "paraphrase"),
    ("004", "Both Russia and Iran", 1, "Russia claims to have documented unmarked helicopters flying into insurgent hotbeds in Afghanistan.", True, "paraphrase"),
    ("004", "Lavrov also explained", 1, "Lavrov said ISIS in Afghanistan raises the risk of terrorists entering Central Asia and reaching Russia.", True, "paraphrase"),
    ("004", "Joint military training", 1, "Joint military training between Pakistan and Russia started in 2016.", True, "paraphrase"),
    ("004", "During the press conference, Lavrov reinforced", 1, "Lavrov highlighted possible cooperation with Pakistan in the energy sector.", True, "paraphrase"),
    ("004", "The President’s tweet", 1, "Osama bin Laden was found hiding in Pakistan, one mile from its main military training academy.", True, "paraphrase"),
    ("000", "Ultimately, the shared", 1, "Failure to address these threats risks wider destabilization across South and Central Asia.", True, "glued_exact"),
    ("001", "The meeting concluded", 1, "Both delegations recognized that collective efforts are essential to regional and global stability.", True, "paraphrase"),
    ("003", "According to the report, Tasmagambetov", 1, "Tasmagambetov said the CSTO's counter-terrorism center and the CIS would strengthen their cooperation.", True, "paraphrase"),
    ("004", "The Pakistani Foreign Minister couldn’t", 1, "“There is absolutely no real acknowledgement by Kabul and Washington of such a large presence or proliferation of Daesh in Afghanistan,” Asif told the press.", True, "paraphrase"),
    ("004", "During the press conference, Lavrov reinforced", 1, "Terrorism is one of the priorities of Russia-Pakistan cooperation, Lavrov said.", True, "paraphrase"),
    ("001", "The platform provides", 1, "The platform lets both sides share experiences and best practices in fighting militancy.", True, "paraphrase"),
    ("003", "In recent years, CSTO", 1, "CSTO officials have expressed concern about international terrorist groups in Afghanistan, especially in the northern regions.", True, "paraphrase"),
    ("000", "CSTO mechanisms", 1, "Lavrov’s emphasis on new threats highlights the urgency, as militant presence near Central Asian frontiers grows.", True, "glued_exact"),
    ("000", "UN reports and regional", 1, "Despite Taliban claims of suppressing extremism, attacks claimed by ISKP and cross-border violence continue.", True, "glued_paraphrase"),
    ("004", "The Foreign Ministers for Pakistan", 1, "The Foreign Ministers for Pakistan and Russia agreed that an Afghan-led peace was needed.", True, "paraphrase"),
    ("002", "The discussions highlighted", 1, "CSTO leaders reaffirmed their commitment to ensuring that Taliban-led instability does not compromise the safety of neighboring member states.", True, "paraphrase"),
    ("004", "President Trump’s decision", 1, "Critics said ending US security aid would push Pakistan closer to China and Russia.", True, "paraphrase"),
    # --- unsupported: changed numbers and dates
    ("000", "Pakistan has repeatedly", 1, "Pakistani data show a surge in incidents since the Taliban returned to power in 2020.", False, "number"),
    ("000", "The alignment between Moscow", 1, "In April 2024, the 11th Pakistan-Russia Joint Working Group on Countering International Terrorism focused on threats from Afghanistan.", False, "number"),
    ("000", "The alignment between Moscow", 1, "In April 2025, the 12th Pakistan-Russia Joint Working Group met to discuss threats from Afghanistan.", False, "number"),
    ("001", "Russia also faces threats", 1, "The Crocus City Hall attack near Moscow killed over 240 people.", False, "number"),
    ("001", "Both sides decided", 1, "Both sides decided to hold the working group's next meeting in 2027.", False, "number"),
    ("001", "Pakistan and Russia held the last", 1, "Pakistan and Russia held the last meeting of the working group on Nov. 18, 2023.", False, "number"),
    ("003", "The Collective Security Treaty Organization (CSTO), established", 1, "The CSTO, established in 2012, is an intergovernmental military alliance.", False, "number"),
    ("003", "KABUL, AFGHANISTAN", 1, "The CSTO is a military alliance of seven Eurasian countries.", False, "number"),
    ("004", "The US cut aid", 1, "The security aid was estimated to be worth more than $2 billion.", False, "number"),
    ("004", "The United States has foolishly", 1, "Trump said the United States had given Pakistan more than 33 million dollars in aid.", False, "number"),
    ("004", "Pakistan, of course", 1, "Asif said Pakistan has lost some 7,000 lives in the fight against terrorism.", False, "number"),
    ("004", "Where Asif made the accusation", 1, "Lavrov said there are already 10,000 ISIS militants in Afghanistan.", False, "number"),
    ("004", "Joint military training", 1, "Joint military training between Pakistan and Russia began in 2006.", False, "number"),
    ("004", "Both Russia and Iran", 1, "Despite 20 years of involvement in Afghanistan, the US has been unable to secure a lasting peace.", False, "number"),
    ("004", "Nearly two months after", 1, "Nearly three months after Trump ended security aid to Pakistan, Lavrov said Russia would keep working with Pakistan on counterterrorism.", False, "number"),
    # --- unsupported: swapped people
    ("001", "Both sides discussed counter-terror", 1, "Pakistan's delegation was led by Deputy Foreign Minister Sergey Vershinin.", False, "person"),
    ("004", "Lavrov said during the press", 1, "Asif said Russia is ready to keep boosting Pakistan's counterterrorism capacity.", False, "person"),
    ("004", "Focusing on terrorism", 1, "According to Lavrov, Islamic State militants in Afghanistan now outnumber the Taliban.", False, "person"),
    ("004", "Lavrov responded by saying", 1, "Asif responded that Russia deeply appreciated Pakistan's efforts and sacrifices.", False, "person"),
    ("002", "Lavrov made these remarks", 1, "Lavrov made these remarks during discussions in Moscow with CSTO Secretary General Taalatbek Masadykov.", False, "person"),
    ("000", "Russia’s position reflects", 1, "Lavrov met CSTO Secretary-General Imangali Tasmagambetov and called Afghanistan a top priority.", False, "person"),
    ("003", "To mitigate the threat", 1, "The security belt was first proposed by Kazakh President Kassym-Jomart Tokayev in 2022.", False, "person"),
    ("004", "The United States has foolishly", 1, "President Obama tweeted that the United States had given Pakistan more than 33 billion dollars in aid.", False, "person"),
    ("001", "Zabihullah Mujahid’s recent statement", 1, "Amir Khan Muttaqi dismissed the TTP as Pakistan's internal issue.", False, "person"),
    ("004", "Pakistan, of course", 2, "Lavrov pointed out that Pakistan has lost some 70,000 lives in the fight against terrorism.", False, "person"),
    ("004", "Where Asif made the accusation", 1, "Asif pointed out that there are already 1,000 ISIS militants in Afghanistan.", False, "person"),
    # --- unsupported: swapped countries and places
    ("000", "Russia’s position reflects", 1, "The CSTO comprises Russia, Armenia, Belarus, Kazakhstan, Uzbekistan and Tajikistan.", False, "country"),
    ("000", "Multilateral forums", 1, "Quadrilateral meetings involving China, India, Pakistan and Russia condemned terrorist groups operating from Afghanistan.", False, "country"),
    ("001", "Russia also faces threats", 1, "The Crocus City Hall attack near Kazan killed over 140 people.", False, "country"),
    ("003", "To mitigate the threat", 1, "The security belt concept was first proposed by Kyrgyz President Emomali Rakhmon in 2022.", False, "country"),
    ("004", "Both Russia and Iran", 1, "Both Russia and China have been accusing the US of causing the growth of the Islamic State in Afghanistan.", False, "country"),
    ("004", "The US cut aid", 1, "The US cut aid to Afghanistan at the beginning of the year.", False, "country"),
    ("004", "The President’s tweet", 1, "Osama bin Laden was found hiding out in Afghanistan, just one mile from a military training academy.", False, "country"),
    ("003", "KABUL, AFGHANISTAN", 1, "The CSTO has raised its concern over the spread of terrorism from Afghanistan into South Asia.", False, "country"),
    ("004", "Lavrov said during the press", 1, "Lavrov confirmed Russia's readiness to continue boosting India's counterterrorism capacity.", False, "country"),
    # --- unsupported: negations and reversals
    ("004", "Amid security concerns", 1, "The two ministers agreed that there is a military solution in Afghanistan.", False, "negation"),
    ("003", "“The threat of terrorist activity", 1, "Tasmagambetov said the CSTO is not able to maintain control within its area of responsibility.", False, "negation"),
    ("001", "Pakistan and Russia have both struggled", 1, "Kabul has confirmed the allegations that the TTP attacks originate from Afghanistan.", False, "negation"),
    ("004", "Pakistan, of course", 1, "Pakistan accepted the accusations.", False, "negation"),
    ("003", "The regime in Kabul", 1, "The regime in Kabul has acknowledged the presence of terrorist groups in Afghanistan.", False, "negation"),
    ("004", "President Trump’s decision", 1, "President Trump's decision faced no criticism.", False, "negation"),
    ("000", "Pakistan has repeatedly", 1, "Kabul accepts the claim that safe havens in Afghanistan enable these groups to regroup.", False, "negation"),
    ("004", "Lavrov said during the press", 1, "Lavrov said Russia will not continue boosting Pakistan's counterterrorism capacity.", False, "negation"),
    ("002", "Lavrov stated that new developments", 1, "Lavrov said new developments in Afghanistan have reduced regional vulnerability.", False, "negation"),
    ("000", "The situation remains fluid", 1, "Regional powers increasingly view unilateral approaches as preferable to collective security.", False, "negation"),
    # --- unsupported: facts from a different article than the passage
    ("000", "ISLAMABAD: Russian", 1, "Lavrov made the remarks on Monday in Moscow.", False, "other_article"),
    ("002", "The CSTO, a regional military", 1, "The CSTO was established in 2002.", False, "other_article"),
    ("004", "The announcement came during", 1, "The 11th meeting of the Pakistan-Russia Joint Working Group was held in Moscow.", False, "other_article"),
    ("001", "Both sides discussed counter-terror", 1, "Asif and Lavrov agreed to form a joint military commission.", False, "other_article"),
    ("003", "The Taliban’s takeover", 1, "Pakistan has lost some 70,000 lives in the fight against terrorism.", False, "other_article"),
    ("002", "The Foreign Minister highlighted", 1, "The Crocus City Hall attack near Moscow killed over 140 people.", False, "other_article"),
    ("000", "UN reports and regional", 1, "Russia claims to have documented unmarked helicopters flying into insurgent hotbeds in Afghanistan.", False, "other_article"),
    ("004", "During the press conference, Lavrov reinforced", 1, "Programs to strengthen Tajik-Afghan borders and intelligence-sharing initiatives aim to mitigate risks.", False, "other_article"),
    ("003", "As reported by the Russian TASS", 1, "Lavrov said militant activity and refugee pressures remain high on the CSTO agenda.", False, "other_article"),
    # --- unsupported: fluent inventions on the passage's topic
    ("002", "The CSTO, a regional military", 1, "The CSTO plans to deploy peacekeeping troops to northern Afghanistan next year.", False, "invention"),
    ("004", "During the press conference, Lavrov reinforced", 1, "Lavrov proposed a new gas pipeline from Russia to Pakistan worth $10 billion.", False, "invention"),
    ("001", "The meeting concluded", 1, "The delegations signed a memorandum on the extradition of suspected militants.", False, "invention"),
    ("000", "Pakistan’s security calculus", 1, "Pakistan's army chief announced a ceasefire with the TTP.", False, "invention"),
    ("003", "According to the report, Tasmagambetov", 1, "The CIS will contribute 5,000 troops to the CSTO counter-terrorism center.", False, "invention"),
    ("002", "Central Asian states, according", 1, "Lavrov praised the Taliban for curbing militant networks and maintaining order within Afghanistan.", False, "invention"),
    ("000", "This Russia-Pakistan convergence", 1, "Both countries advocate military confrontation over dialogue and diplomatic engagement.", False, "invention"),
    ("004", "Lavrov also explained", 1, "Lavrov said ISIS fighters have already crossed into Russia from Central Asia.", False, "invention"),
    ("001", "ISLAMABAD: Senior officials", 1, "The meeting was held in Islamabad and chaired by Prime Minister Shehbaz Sharif.", False, "invention"),
    ("003", "The regime in Kabul", 1, "The Taliban admitted that ISIS-K is still active in northern Afghanistan.", False, "invention"),
]


def passage_span(text: str, opening: str, lines: int) -> tuple[int, int]:
    """Offsets of ``lines`` non-empty lines, the first being the line that begins with ``opening``."""
    start = text.index(opening)
    if start != 0 and text[start - 1] != "\n":
        raise ValueError(f"{opening!r} does not open a line")
    body = [m for m in re.finditer(r"[^\n]+", text[start:]) if m.group().strip()][:lines]
    end = start + body[-1].end()
    return start, len(text[:end].rstrip())


def split_of(sentence: str) -> str:
    return "tune" if int(hashlib.sha1(sentence.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def build() -> list[dict]:
    rows = []
    for i, (prefix, opening, lines, sentence, label, kind) in enumerate(PAIRS, 1):
        source = FILES[prefix]
        text = (CORPUS / source).read_text(encoding="utf-8")
        start, end = passage_span(text, opening, lines)
        rows.append({"id": f"p{i:03d}", "split": split_of(sentence), "kind": kind, "source": source,
                     "start": start, "end": end, "passage": text[start:end], "sentence": sentence,
                     "supported": label})
    return rows


def main() -> None:
    rows = build()
    write_jsonl(OUT, rows)
    n_sup = sum(r["supported"] for r in rows)
    print(f"{len(rows)} pairs ({n_sup} supported) -> {OUT}")


if __name__ == "__main__":
    main()
