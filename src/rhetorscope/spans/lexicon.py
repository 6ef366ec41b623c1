"""Small hand-made word lists that hint at persuasion techniques.

Why: a CRF trained on ~300 articles sees most words once or never; a class
feature ("this word is an intensifier", "this is a fear word") lets what it
learns about one member carry over to the others. The lists are English and
deliberately short; another language gets its own table under the same keys.
Multi-word cues are matched word by word (each word carries the class).

Sentiment strength comes from the VADER lexicon (Hutto & Gilbert, 2014; MIT
licence), read from the installed `vaderSentiment` package: 7,500 words rated
for valence by people, the best offline proxy for "emotionally loaded" there is.
"""

from __future__ import annotations

from functools import lru_cache

LEXICON_VERSION = "en-2"

_CLASSES: dict[str, str] = {
    "emotion": """
        outrage outrageous outraged disgrace disgraceful shame shameful shameless evil wicked horrific
        horrible terrible awful appalling atrocious atrocity disaster disastrous catastrophe catastrophic
        destroy destroyed destroying destruction slam slams slammed blast blasted savage brutal brutally
        vicious corrupt corruption lie lies lying liar liars hoax scandal scandalous radical radicals
        extremist extremists crazy insane lunatic ridiculous absurd pathetic disgusting despicable
        vile treason treasonous traitor traitors betray betrayal betrayed shocking shocked bombshell
        chaos chaotic hate hateful hatred racist racism bigot bigotry fascist fascism nazi nazis thug
        thugs criminal criminals sick sickening stupid idiot idiots moron fool foolish clown hypocrite
        hypocrisy hypocritical cynicism duplicity fake phony propaganda regime puppet tyranny tyrant
        dictator deranged hysterical hysteria rabid fanatic fanatics zealot smear smears witch hunt
        rigged crooked sham farce fraud fraudulent scum nasty dirty filthy monster monstrous barbaric
        barbarian heinous sinister nefarious diabolical demonic infamous notorious toxic poison
        poisonous cancer plague slaughter massacre butcher butchered genocide rape raped
        """,
    "intensifier": """
        very extremely totally absolutely completely utterly entirely truly deeply highly incredibly
        incredible unbelievable unprecedented tremendous enormous massive huge giant staggering
        astonishing stunning amazing extraordinary overwhelming overwhelmingly biggest worst best
        greatest largest most least ever never always forever all every everyone everybody everything
        nothing nobody none whole entire literally simply just only mere merely hardly barely
        countless endless infinite thousands millions billions
        """,
    "fear": """
        threat threats threaten threatens threatened threatening danger dangers dangerous fear fears
        afraid scared terror terrorist terrorists terrorism risk risks collapse invasion invade
        invaders invading attack attacks attacked kill killed killing killers deadly death deaths die
        dying war wars crisis warn warns warned warning jihad jihadist jihadists bomb bombs violence
        violent destroy ruin ruined doom doomed nightmare menace peril perilous epidemic pandemic
        """,
    "nation": """
        america american americans nation nations national nationalist patriot patriots patriotic
        patriotism country countrymen homeland flag flags freedom freedoms liberty constitution
        constitutional sovereignty sovereign motherland fatherland heritage founding founders god
        """,
    "we": "we us our ours ourselves",
    "they": "they them their theirs themselves",
    "doubt": """
        allegedly alleged claims claim claimed claiming supposedly so-called purported purportedly
        questionable suspicious suspect dubious credibility whether really seriously apparently
        unproven unsubstantiated baseless doubt doubts doubtful skeptical sceptical conspiracy
        narrative narratives cover-up coverup
        """,
    "authority": """
        said says say told according expert experts professor dr doctor scientist scientists study
        studies research official officials president pope fbi cia police judge court spokesman
        spokeswoman director chief minister secretary senator general report reported stated
        statement explained confirmed insisted noted
        """,
    "causal": """
        because therefore thus hence cause caused causes causing due result resulted results led leads
        lead blame blamed blames responsible consequence consequently since so why reason reasons
        """,
    "absolute": """
        either or only must choice unless no not nothing neither nor need needs require required
        """,
    "cliche": """
        period end enough matter simply basta case closed fact facts truth truly know
        """,
    "whatabout": "but what about hypocrisy hypocrite double standard standards instead while whereas yet",
}



def _index(classes: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Word -> the classes it belongs to (a word may sit in several lists)."""
    index: dict[str, tuple[str, ...]] = {}
    for name, words in classes.items():
        for word in words.split():
            index[word] = (*index.get(word, ()), name)
    return index


LEXICON: dict[str, tuple[str, ...]] = _index(_CLASSES)


def _valence_bucket(value: float) -> str:
    sign = "n" if value < 0 else "p"
    size = abs(value)
    return f"{sign}{3 if size >= 2.5 else 2 if size >= 1.5 else 1}"


@lru_cache(maxsize=1)
def valence() -> dict[str, str]:
    """Lowercase word -> VADER valence bucket (n3 … n1, p1 … p3), loaded once on first use."""
    from importlib import resources

    table: dict[str, str] = {}
    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            table[parts[0]] = _valence_bucket(float(parts[1]))
    return table
