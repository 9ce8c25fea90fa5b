"""Sections of everyday stories (issue #5): no section is a sink for words of any story.

Sport used to take recipes, crime reports and video-game reviews, because its cues held
words common in any story ("set", "run", "lead", "minutes", "cup", "game"). A plain cue
now needs company, and the built-in cues give crime, food and games their sections.
"""
from __future__ import annotations

import pytest

from digest.model import Article
from digest.tag import load_section_cues, section_for, section_scores
from digest.text import split_sentences


def make(title: str, text: str) -> Article:
    sentences = tuple(s for para in text.split("\n") for s in split_sentences(para))
    return Article(source="t.txt", format="text", slug="t", title=title, sentences=sentences)


RECIPE = make("Spiced apple butter", (
    "Set the oven to 150C and cut the apples in half.\n"
    "Add two cups of sugar, a teaspoon of cinnamon and the juice of a lemon, then simmer for 40 minutes.\n"
    "Stir in a second cup of cider and run a spoon through the mix to check it has set.\n"
    "This recipe is a winner in the cold season: the ingredients keep for a month."))

CRIME = make("Man stabbed to death on commuter train", (
    "A man was stabbed to death on a commuter train on Sunday night, police said.\n"
    "Officers arrested a suspect at the next station after a fight broke out in the second carriage.\n"
    "The victim died at the scene. Detectives are looking for witnesses, and the suspect will appear in court on Tuesday."))

GAME_REVIEW = make("Galaxy Raiders review: a game that sets a new record", (
    "Galaxy Raiders is the best game of the year on PlayStation and Xbox, and the gameplay holds up on PC too.\n"
    "Players lead a team of pilots through 20 levels; the multiplayer mode lets you run the final round with friends.\n"
    "Gamers who win every match unlock a second campaign, and the console version loads fast."))

GENERIC = make("Council sets out plan to open the new library", (
    "The council set a record budget for the library, which will open in the second half of the year.\n"
    "Work will run for 18 months, and the project lead said the final design would be shown in the spring."))


@pytest.mark.parametrize(
    ("article", "section"),
    [(RECIPE, "Culture"), (CRIME, "World"), (GAME_REVIEW, "Technology")],
    ids=["recipe", "crime report", "video-game review"],
)
def test_everyday_stories_get_their_section(article: Article, section: str) -> None:
    assert section_for(article) == section


@pytest.mark.parametrize("article", [RECIPE, CRIME, GAME_REVIEW, GENERIC], ids=["recipe", "crime", "game", "generic"])
def test_words_of_any_story_do_not_make_it_sport(article: Article) -> None:
    assert section_scores(article)["Sport"] < max(section_scores(article).values())
    assert section_for(article) != "Sport"


def test_a_plain_cue_alone_scores_nothing_but_two_do() -> None:
    cues = load_section_cues("default: Misc\nsections:\n  Gardening:\n    strong: [compost]\n    cues: [roses, spring]\n")
    one = make("Roses", "The roses were late this year.")
    assert section_scores(one, cues) == {"Gardening": 0.0}
    assert section_for(one, cues) == "Misc"
    two = make("Roses", "The roses were late this spring.")
    assert section_scores(two, cues)["Gardening"] > 0
    assert section_for(two, cues) == "Gardening"
    strong = make("Heaps", "A compost heap is easy to build.")
    assert section_for(strong, cues) == "Gardening"  # a strong cue counts alone


def test_a_real_sport_story_of_plain_cues_is_still_sport() -> None:
    # a tennis report names no sport: its words are plain cues, but many of them together
    report = make("Roddick to face Saulnier in final", (
        "Roddick will play Saulnier in the final on Sunday after the top seed beat Haas.\n"
        "The defending champion won the match in two sets, and Saulnier's win over the seventh seed "
        "earned him his first title final of the season."))
    assert section_for(report) == "Sport"


def test_a_cue_of_three_or_more_words_counts_like_a_word() -> None:
    # a user's cue file may hold phrases of any length: "park and ride" is one cue, and only
    # those three words in a row match it
    cues = load_section_cues({"default": "Other", "sections": {
        "Transport": {"strong": ["park and ride", "bus lane to the harbour"]}, "Other": {"cues": ["harbour"]}}})
    story = make("Park and ride opens at the harbour", "The park and ride site has 400 spaces and a bus lane to the harbour.")
    assert section_scores(story, cues)["Transport"] > 0
    assert section_for(story, cues) == "Transport"
    apart = make("Parking opens at the harbour", "Park the car and ride the bus: the site has 400 spaces by the harbour.")
    assert section_scores(apart, cues)["Transport"] == 0
