"""The SemEval-2023 persuasion-technique taxonomy as data.

Every component that names a technique (classifier, span tagger, renderers,
legends and tooltips) reads it from here, so ids, display names and
definitions stay the same everywhere. Ids are exactly those of the official
`techniques_subtask3.txt`, in its order. The definitions and examples are
written for this project: they describe the wording, never who uses it, and
the examples use invented actors so that no side is taken.

The mappings translate the labels of the two older corpora (PTC 2020 and
SemEval-2021 Task 6) into this taxonomy, so their data can train models that
speak the 2023 label set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One of the six groups the 2023 taxonomy puts techniques in."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Technique:
    """One persuasion technique: its official id, display name, category and a plain definition."""

    id: str
    name: str
    category: str
    definition: str
    example: str


CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category(
            "attack_on_reputation",
            "Attack on reputation",
            "Argues about the person or group behind a claim instead of the claim itself.",
        ),
        Category(
            "justification",
            "Justification",
            "Supports a claim with something other than evidence about it: authority, popularity, "
            "values, fear or group pride.",
        ),
        Category(
            "simplification",
            "Simplification",
            "Reduces a complex matter to a single cause, a single consequence or a forced choice.",
        ),
        Category(
            "distraction",
            "Distraction",
            "Moves attention away from the point under discussion.",
        ),
        Category(
            "call",
            "Call",
            "Pushes the audience to act or to stop thinking, rather than giving reasons.",
        ),
        Category(
            "manipulative_wording",
            "Manipulative wording",
            "Relies on the choice or arrangement of words to shape the reader's impression.",
        ),
    )
}


def _t(id_: str, name: str, category: str, definition: str, example: str) -> Technique:
    return Technique(id=id_, name=name, category=category, definition=definition, example=example)


TECHNIQUES: dict[str, Technique] = {
    t.id: t
    for t in (
        _t(
            "Appeal_to_Authority", "Appeal to authority", "justification",
            "Presents a claim as true mainly because a person, institution or expert said so, "
            "without the reasons behind it. Citing a source is not the technique in itself; it "
            "becomes one when the standing of the source replaces the argument, or when the source "
            "has no expertise on the matter.",
            "\"The minister says the plan is sound, so there is nothing more to discuss.\"",
        ),
        _t(
            "Appeal_to_Popularity", "Appeal to popularity", "justification",
            "Argues that something is right, true or inevitable because many people, or everyone, "
            "already accept or do it (bandwagon).",
            "\"Millions have already signed up; join them before you are left behind.\"",
        ),
        _t(
            "Appeal_to_Values", "Appeal to values", "justification",
            "Ties a position to values the audience holds dear, such as freedom, democracy, "
            "tradition, peace or justice, so that disagreeing seems to reject those values.",
            "\"Anyone who believes in fairness and freedom must support this bill.\"",
        ),
        _t(
            "Appeal_to_Fear-Prejudice", "Appeal to fear or prejudice", "justification",
            "Promotes or rejects an idea by raising fear, anxiety or existing prejudice about what "
            "would happen otherwise, instead of weighing the idea on its merits.",
            "\"If this passes, our towns will be overrun and nobody will be safe at night.\"",
        ),
        _t(
            "Flag_Waving", "Flag waving", "justification",
            "Justifies a position by appealing to the pride, identity or interests of a group "
            "(a nation, party, religion or community), implying that its members should support it.",
            "\"Every true patriot knows our country must stand firm on this.\"",
        ),
        _t(
            "Causal_Oversimplification", "Causal oversimplification", "simplification",
            "Blames a complex outcome on one cause, or one actor, while ignoring the other factors "
            "that contributed to it.",
            "\"Prices went up for one reason only: the new governor.\"",
        ),
        _t(
            "False_Dilemma-No_Choice", "False dilemma or no choice", "simplification",
            "Presents only two options, or only one, when more exist, so that the favoured option "
            "seems the only reasonable one.",
            "\"Either we sign the deal today or the whole region collapses.\"",
        ),
        _t(
            "Consequential_Oversimplification", "Consequential oversimplification", "simplification",
            "Claims that a first step will lead, through a chain of ever worse consequences, to an "
            "extreme outcome, without showing why each step must follow (slippery slope).",
            "\"Allow this small fee and next year they will tax the air we breathe.\"",
        ),
        _t(
            "Straw_Man", "Straw man", "distraction",
            "Replaces an opponent's actual position with a weaker or distorted version and then "
            "refutes that version instead.",
            "\"They want to review the budget, which means they want to abolish the army.\"",
        ),
        _t(
            "Red_Herring", "Red herring", "distraction",
            "Introduces an irrelevant topic to divert attention from the question being discussed.",
            "\"Why talk about the delays in the project when the weather has been so bad this year?\"",
        ),
        _t(
            "Whataboutism", "Whataboutism", "distraction",
            "Answers a criticism by pointing to a similar or worse act of the critic or a third "
            "party, without addressing the criticism itself.",
            "\"You question our record? What about your own record ten years ago?\"",
        ),
        _t(
            "Slogans", "Slogans", "call",
            "Uses a brief, striking, often rhythmic phrase that stands in for an argument and is "
            "meant to be repeated.",
            "\"Strength through unity!\"",
        ),
        _t(
            "Appeal_to_Time", "Appeal to time", "call",
            "Argues that the moment has come, or that there is no time left, so action must be taken "
            "now rather than discussed.",
            "\"The time for debate is over; we must act tonight.\"",
        ),
        _t(
            "Conversation_Killer", "Conversation killer", "call",
            "Ends or discourages discussion with a dismissive formula instead of an answer "
            "(thought-terminating cliché).",
            "\"It is what it is. End of story.\"",
        ),
        _t(
            "Loaded_Language", "Loaded language", "manipulative_wording",
            "Uses words or phrases with strong emotional connotations, positive or negative, to "
            "influence the reader beyond what the facts described would do.",
            "\"The reckless scheme unleashed chaos on hard-working families.\"",
        ),
        _t(
            "Repetition", "Repetition", "manipulative_wording",
            "Repeats the same word, phrase or message several times so that it sticks and comes to "
            "feel true.",
            "\"We will win. We will win because we must win.\"",
        ),
        _t(
            "Exaggeration-Minimisation", "Exaggeration or minimisation", "manipulative_wording",
            "Makes something seem much larger, better or worse than it is, or plays down something "
            "that matters as trivial.",
            "\"It was the worst decision in the history of humanity.\" / "
            "\"A few minor incidents, nothing more.\"",
        ),
        _t(
            "Obfuscation-Vagueness-Confusion", "Obfuscation, vagueness or confusion", "manipulative_wording",
            "Uses deliberately unclear or ambiguous wording so that the audience can read into it what "
            "they like, or cannot pin down what is claimed.",
            "\"Certain measures will be taken, at the appropriate level, in due course.\"",
        ),
        _t(
            "Name_Calling-Labeling", "Name calling or labeling", "attack_on_reputation",
            "Attaches a label to a person or group, insulting or praising, that the audience is "
            "meant to love or hate, in place of an argument about what they do.",
            "\"The so-called experts in the capital have failed again.\"",
        ),
        _t(
            "Doubt", "Doubt", "attack_on_reputation",
            "Questions the credibility, competence or motives of someone in order to undermine "
            "their position, without engaging with the position itself.",
            "\"Can we really trust a mayor who could not even run his own shop?\"",
        ),
        _t(
            "Guilt_by_Association", "Guilt by association", "attack_on_reputation",
            "Discredits a person or idea by linking it to a person, group or ideology the audience "
            "already condemns (including the reductio ad Hitlerum).",
            "\"This proposal was once praised by a notorious dictator.\"",
        ),
        _t(
            "Appeal_to_Hypocrisy", "Appeal to hypocrisy", "attack_on_reputation",
            "Attacks someone by pointing out that they acted against what they now say, so that "
            "their argument is dismissed rather than answered (tu quoque).",
            "\"She calls for saving energy, yet she flies everywhere by private jet.\"",
        ),
        _t(
            "Questioning_the_Reputation", "Questioning the reputation", "attack_on_reputation",
            "Makes broad negative claims about someone's character or morals, often without "
            "support, to damage their standing rather than refute their argument (smears).",
            "\"He has always been a liar and everyone knows it.\"",
        ),
    )
}


def get_technique(technique_id: str) -> Technique:
    """The technique with this official id; a KeyError that lists the valid ids otherwise."""
    try:
        return TECHNIQUES[technique_id]
    except KeyError:
        raise KeyError(
            f"unknown technique {technique_id!r}; expected one of: {', '.join(TECHNIQUES)}"
        ) from None


def category_of(technique_id: str) -> Category:
    """The category a technique belongs to."""
    return CATEGORIES[get_technique(technique_id).category]


PTC_2020_TO_2023: dict[str, tuple[str, ...]] = {
    "Appeal_to_Authority": ("Appeal_to_Authority",),
    "Appeal_to_fear-prejudice": ("Appeal_to_Fear-Prejudice",),
    "Bandwagon,Reductio_ad_hitlerum": ("Appeal_to_Popularity", "Guilt_by_Association"),
    "Black-and-White_Fallacy": ("False_Dilemma-No_Choice",),
    "Causal_Oversimplification": ("Causal_Oversimplification",),
    "Doubt": ("Doubt",),
    "Exaggeration,Minimisation": ("Exaggeration-Minimisation",),
    "Flag-Waving": ("Flag_Waving",),
    "Loaded_Language": ("Loaded_Language",),
    "Name_Calling,Labeling": ("Name_Calling-Labeling",),
    "Repetition": ("Repetition",),
    "Slogans": ("Slogans",),
    "Thought-terminating_Cliches": ("Conversation_Killer",),
    "Whataboutism,Straw_Men,Red_Herring": ("Whataboutism", "Straw_Man", "Red_Herring"),
}
"""PTC (SemEval-2020 Task 11) merged labels -> the 2023 techniques they cover."""

SEMEVAL_2021_TO_2023: dict[str, tuple[str, ...]] = {
    "Appeal to authority": ("Appeal_to_Authority",),
    "Appeal to fear/prejudice": ("Appeal_to_Fear-Prejudice",),
    "Black-and-white Fallacy/Dictatorship": ("False_Dilemma-No_Choice",),
    "Causal Oversimplification": ("Causal_Oversimplification",),
    "Doubt": ("Doubt",),
    "Exaggeration/Minimisation": ("Exaggeration-Minimisation",),
    "Flag-waving": ("Flag_Waving",),
    "Glittering generalities (Virtue)": ("Appeal_to_Values",),
    "Loaded Language": ("Loaded_Language",),
    "Misrepresentation of Someone's Position (Straw Man)": ("Straw_Man",),
    "Name calling/Labeling": ("Name_Calling-Labeling",),
    "Obfuscation, Intentional vagueness, Confusion": ("Obfuscation-Vagueness-Confusion",),
    "Presenting Irrelevant Data (Red Herring)": ("Red_Herring",),
    "Reductio ad hitlerum": ("Guilt_by_Association",),
    "Repetition": ("Repetition",),
    "Slogans": ("Slogans",),
    "Smears": ("Questioning_the_Reputation",),
    "Thought-terminating cliché": ("Conversation_Killer",),
    "Whataboutism": ("Whataboutism",),
    "Bandwagon": ("Appeal_to_Popularity",),
}
"""SemEval-2021 Task 6 labels (as in its techniques.txt) -> the 2023 techniques they correspond to."""
